import AuthorizationServer
import Mustache

/// The pages a person sees at this server: the consent question and the
/// error page shown when a request cannot safely be sent back to the
/// client. Every value is HTML-escaped by the template engine, because the
/// client's name is whatever the client chose to call itself.
enum ConsentPage {
    /// The frame of every page this server shows a person (consent, links,
    /// the console); `content` is an already rendered (and escaped) page
    /// body, `style` the page's own stylesheet, written in the code.
    static let layout = try! MustacheTemplate(
        string: """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{title}}</title>
            <style>{{{style}}}</style>
            </head>
            <body>
            <main>
            {{{content}}}
            </main>
            </body>
            </html>
            """)

    static let consentTemplate = try! MustacheTemplate(
        string: """
            <h1>Allow <strong id="client-name">{{clientName}}</strong> to use {{serverName}}?</h1>
            <p>It will act as you when it calls these tools. After you approve, you sign in at your organisation's identity provider.</p>
            <dl>
            <dt>Sends you back to</dt>
            <dd id="redirect-host">{{redirectHost}}{{#redirectIsLoopback}} <span class="note">(an application on this computer)</span>{{/redirectIsLoopback}}</dd>
            <dt>Client identifier</dt>
            <dd id="client-id"><code>{{clientID}}</code></dd>
            <dt>It may</dt>
            <dd><ul id="scopes">{{#scopes}}<li><code>{{.}}</code></li>{{/scopes}}{{^scopes}}<li>use the tools your account may use</li>{{/scopes}}</ul></dd>
            </dl>
            <form method="post" action="{{action}}">
            <input type="hidden" name="pending" value="{{pendingID}}">
            <input type="hidden" name="csrf_token" value="{{csrfToken}}">
            <button type="submit" name="decision" value="approve" id="approve">Approve</button>
            <button type="submit" name="decision" value="deny" id="deny" class="secondary">Deny</button>
            </form>
            <p class="note">Only approve if you started this from {{clientName}} just now.</p>
            """)

    static let errorTemplate = try! MustacheTemplate(
        string: """
            <h1>This sign-in cannot continue</h1>
            <p id="message">{{message}}</p>
            """)

    static let style = """
        body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;padding:2rem}\
        main{max-width:32rem;margin:auto;background:#fff;border-radius:8px;padding:2rem;box-shadow:0 1px 4px #0002}\
        h1{font-size:1.3rem}dt{font-weight:600;margin-top:.8rem}dd{margin:0}ul{padding-left:1.2rem;margin:.2rem 0}\
        button{font-size:1rem;padding:.6rem 1.4rem;border-radius:6px;border:0;background:#1f6feb;color:#fff;margin-right:.6rem;cursor:pointer}\
        button.secondary{background:#e5e7eb;color:#111}.note{color:#555;font-size:.9rem}form{margin-top:1.5rem}
        """

    static func consent(_ consent: AuthorizationFlow.Consent, action: String) -> String {
        let context: [String: Any] = [
            "clientName": consent.clientName, "clientID": consent.clientID, "redirectHost": consent.redirectHost,
            "redirectIsLoopback": consent.redirectIsLoopback, "scopes": consent.scopes, "pendingID": consent.pendingID,
            "csrfToken": consent.csrfToken, "action": action, "serverName": "Gatehouse",
        ]
        return frame(title: "Allow \(consent.clientName)?", content: consentTemplate.render(context))
    }

    /// A whole page: `content` in the shared frame.
    static func frame(title: String, content: String, style: String = style) -> String {
        layout.render(["title": title, "content": content, "style": style])
    }

    static func error(_ message: String) -> String {
        frame(title: "Sign-in problem", content: errorTemplate.render(["message": message]))
    }
}
