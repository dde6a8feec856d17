import Mustache

/// The pages of linking, rendered in the consent page's frame. Every value
/// is HTML-escaped by the template engine: titles and instructions come
/// from connector files, connector names from the store.
enum LinkPage: Sendable, Equatable {
    case problem(String)
    case keyForm(title: String, instructions: String?, formToken: String, action: String)
    case done(title: String, what: String)
    case accounts([Row], formToken: String, action: String)

    struct Row: Sendable, Equatable {
        var connector: String
        var title: String
        var kind: String
        var since: String
    }

    static let usedOrExpired =
        "This link was already used or has expired. Links work once and for a few minutes; ask your assistant again for a new one."
    static let lostFlow =
        "This step does not belong to a link opened in this browser, or it took too long. Open the link your assistant gave you again, in the same browser."

    static let problemTemplate = try! MustacheTemplate(
        string: """
            <h1>Linking cannot continue</h1>
            <p id="message">{{message}}</p>
            """)

    static let keyTemplate = try! MustacheTemplate(
        string: """
            <h1>Your {{title}} key</h1>
            <p>Tools will call {{title}} with this key, as you. It is stored encrypted and never shown again, to you or to your assistant.</p>
            {{#instructions}}<p class="note" id="instructions">{{instructions}}</p>{{/instructions}}
            <form method="post" action="{{action}}">
            <input type="hidden" name="flow" value="{{formToken}}">
            <p><input type="password" name="key" id="key" autocomplete="off" required style="width:100%;font-size:1rem;padding:.4rem"></p>
            <button type="submit" id="save">Save key</button>
            </form>
            """)

    static let doneTemplate = try! MustacheTemplate(
        string: """
            <h1 id="done">{{what}}</h1>
            <p>Go back to your assistant and ask again; the tool will now act as you at {{title}}.</p>
            <p class="note">You can see and remove what you linked at <a href="/links">your linked accounts</a>.</p>
            """)

    static let accountsTemplate = try! MustacheTemplate(
        string: """
            <h1>Your linked accounts</h1>
            {{#hasRows}}
            <ul id="accounts">
            {{#rows}}
            <li><strong>{{title}}</strong> <span class="note">({{kind}}, since {{since}})</span>
            <form method="post" action="{{action}}" style="display:inline;margin:0">
            <input type="hidden" name="connector" value="{{connector}}">
            <input type="hidden" name="csrf_token" value="{{formToken}}">
            <button type="submit" class="secondary" id="unlink-{{connector}}">Unlink</button>
            </form></li>
            {{/rows}}
            </ul>
            {{/hasRows}}
            {{^hasRows}}<p id="none">Nothing is linked. Tools ask you to link an account when they first need one.</p>{{/hasRows}}
            """)

    var title: String {
        switch self {
        case .problem: "Linking problem"
        case .keyForm(let title, _, _, _): "Your \(title) key"
        case .done(let title, _): "\(title) linked"
        case .accounts: "Linked accounts"
        }
    }

    var html: String {
        let content: String
        switch self {
        case .problem(let message):
            content = Self.problemTemplate.render(["message": message])
        case .keyForm(let title, let instructions, let formToken, let action):
            var context: [String: Any] = ["title": title, "formToken": formToken, "action": action]
            if let instructions { context["instructions"] = instructions }
            content = Self.keyTemplate.render(context)
        case .done(let title, let what):
            content = Self.doneTemplate.render(["title": title, "what": what])
        case .accounts(let rows, let formToken, let action):
            let items: [[String: Any]] = rows.map {
                ["connector": $0.connector, "title": $0.title, "kind": $0.kind, "since": $0.since, "formToken": formToken, "action": action]
            }
            content = Self.accountsTemplate.render(["rows": items, "hasRows": !rows.isEmpty])
        }
        return ConsentPage.frame(title: title, content: content)
    }
}
