import Foundation
import Mustache

/// The console's one page and its problem page, server-rendered with no
/// script and no asset from elsewhere. Every value is HTML-escaped by the
/// template engine: tool titles and file problems come from connector
/// files, subjects and arguments from callers.
enum ConsolePage {
    static let lostSignIn =
        "This sign-in does not belong to this browser, or it took too long. Open the console again to sign in."

    static let style = """
        body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;padding:1rem;color:#111}\
        main{max-width:72rem;margin:auto}section{background:#fff;border-radius:8px;padding:1rem 1.2rem;margin:1rem 0;box-shadow:0 1px 4px #0002}\
        h1{font-size:1.3rem}h2{font-size:1.1rem;margin-top:0}h3{font-size:1rem;margin:.8rem 0 .3rem}\
        .scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.85rem}\
        th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e5e7eb;vertical-align:top;white-space:nowrap}\
        td.wrap{white-space:normal;min-width:12rem}code{font-size:.8rem}.note{color:#555;font-size:.85rem}\
        .failed{color:#b42318}.bar{display:flex;justify-content:space-between;align-items:center;flex-wrap:wrap;gap:.5rem}\
        nav a{margin-right:.8rem}button{font-size:.9rem;padding:.4rem 1rem;border-radius:6px;border:0;background:#e5e7eb;cursor:pointer}
        """

    static let problemTemplate = try! MustacheTemplate(
        string: """
            <section><h1>Gatehouse console</h1><p id="message">{{message}}</p><p><a href="/admin">Open the console</a></p></section>
            """)

    static let pageTemplate = try! MustacheTemplate(
        string: """
            <div class="bar"><h1>Gatehouse console <span class="note">version {{version}}, catalogue generation {{generation}}</span></h1>
            <form method="post" action="/admin/sign-out"><span class="note" id="admin">Signed in as {{admin}}</span>
            <input type="hidden" name="csrf_token" value="{{formToken}}"> <button type="submit" id="sign-out">Sign out</button></form></div>
            <nav><a href="#tools">Tools</a><a href="#problems">Problems</a><a href="#reloads">Reloads</a><a href="#activity">Calls per tool</a><a href="#calls">Recent calls</a>{{#hasGrants}}<a href="#grants">Clients and grants</a>{{/hasGrants}}{{#hasLinks}}<a href="#linked">Linked accounts</a>{{/hasLinks}}</nav>

            <section id="tools"><h2>Connectors and tools</h2>
            {{#connectors}}
            <h3 id="connector-{{name}}">{{name}} <span class="note">{{file}} · credential: {{auth}} · {{state}}</span></h3>
            <div class="scroll"><table><tr><th>tool</th><th>request</th><th>parameters (* required)</th><th>annotations</th><th>scopes</th><th>fingerprint</th><th>changed</th><th>lock</th></tr>
            {{#tools}}<tr id="tool-{{name}}"><td><strong>{{name}}</strong>{{#title}}<br><span class="note">{{title}}</span>{{/title}}</td><td><code>{{request}}</code></td><td>{{parameters}}</td><td>{{annotations}}</td><td>{{scopes}}</td><td><code>{{fingerprint}}</code></td><td>{{changed}}</td><td>{{lock}}</td></tr>{{/tools}}
            </table></div>
            {{/connectors}}
            {{^connectors}}<p>No connector is served.</p>{{/connectors}}
            </section>

            <section id="problems"><h2>Problems in files</h2>
            {{#problems}}<p class="failed"><code>{{location}}</code>: {{message}}</p>{{/problems}}
            {{^problems}}<p id="no-problems">No file has a problem.</p>{{/problems}}
            </section>

            <section id="reloads"><h2>Reloads</h2>
            <p>Last reload {{lastReload}}; {{reloadCounts}}.{{#lastError}} <span class="failed">Last error: {{lastError}}</span>{{/lastError}}</p>
            {{#reloads}}<h3>{{at}}</h3><ul>{{#changes}}<li>{{.}}</li>{{/changes}}</ul>{{/reloads}}
            {{^reloads}}<p class="note">No reload has changed a tool since the start.</p>{{/reloads}}
            </section>

            <section id="activity"><h2>Calls per tool</h2><p class="note">Since the start of this process; latencies over each tool's latest 512 calls.</p>
            <div class="scroll"><table><tr><th>tool</th><th>calls</th><th>errors</th><th>p50</th><th>p95</th><th>p99</th><th>last call</th></tr>
            {{#activity}}<tr id="activity-{{tool}}"><td>{{tool}}</td><td>{{calls}}</td><td>{{errorRate}}</td><td>{{p50}}</td><td>{{p95}}</td><td>{{p99}}</td><td>{{last}}</td></tr>{{/activity}}
            </table></div>
            </section>

            {{#hasLinks}}
            <section id="linked"><h2>Linked accounts and keys</h2>
            <p class="note">Removing one makes the user link the account or enter the key again at the next call that needs it.</p>
            <div class="scroll"><table><tr><th>user</th><th>connector</th><th>kind</th><th>since</th><th></th></tr>
            {{#linked}}<tr class="linked" data-user="{{subject}}" data-connector="{{connector}}"><td>{{subject}}</td><td>{{connector}}</td><td>{{kind}}</td><td>{{since}}</td>
            <td><form method="post" action="/admin/revoke" style="margin:0"><input type="hidden" name="subject" value="{{subject}}"><input type="hidden" name="connector" value="{{connector}}"><input type="hidden" name="csrf_token" value="{{formToken}}"><button type="submit" class="unlink">Remove</button></form></td></tr>{{/linked}}
            </table></div>
            {{^linked}}<p id="no-links">No user has linked an account or entered a key.</p>{{/linked}}
            </section>
            {{/hasLinks}}
            {{#hasGrants}}
            <section id="grants"><h2>Clients and grants</h2>
            <p class="note">Revoking ends a grant at once: its refresh token stops working; access tokens already issued run out within their lifetime.</p>
            <h3>Clients</h3>
            <div class="scroll"><table><tr><th>client</th><th>kind</th><th>redirect URIs</th><th>registered</th><th></th></tr>
            {{#clients}}<tr id="client-{{id}}"><td><strong>{{name}}</strong><br><code>{{id}}</code></td><td>{{origin}}</td><td class="wrap">{{redirects}}</td><td>{{issued}}</td>
            <td><form method="post" action="/admin/revoke" style="margin:0"><input type="hidden" name="client" value="{{id}}"><input type="hidden" name="csrf_token" value="{{formToken}}"><button type="submit">Revoke all its grants</button></form></td></tr>{{/clients}}
            </table></div>
            <h3>Grants in force</h3>
            <div class="scroll"><table><tr><th>user</th><th>client</th><th>scopes</th><th>resource</th><th>since</th><th></th></tr>
            {{#grants}}<tr class="grant" data-user="{{subject}}"><td>{{subject}}</td><td><code>{{client}}</code></td><td>{{scopes}}</td><td>{{resource}}</td><td>{{since}}</td>
            <td><form method="post" action="/admin/revoke" style="margin:0"><input type="hidden" name="grant" value="{{id}}"><input type="hidden" name="csrf_token" value="{{formToken}}"><button type="submit" class="revoke">Revoke</button></form></td></tr>{{/grants}}
            </table></div>
            {{^grants}}<p id="no-grants">No grant is in force.</p>{{/grants}}
            </section>
            {{/hasGrants}}

            <section id="calls"><h2>Recent calls</h2><p class="note">The latest 50 audit lines, newest first; argument values appear only when the audit log keeps them.</p>
            <div class="scroll"><table><tr><th>time</th><th>tool</th><th>user</th><th>outcome</th><th>status</th><th>latency</th><th>arguments</th></tr>
            {{#calls}}<tr><td>{{at}}</td><td>{{tool}}</td><td>{{subject}}</td><td{{#isFailure}} class="failed"{{/isFailure}}>{{outcome}}</td><td>{{status}}</td><td>{{latency}}</td><td class="wrap"><code>{{arguments}}</code></td></tr>{{/calls}}
            </table></div>
            </section>
            """)

    static func problem(_ message: String) -> String {
        ConsentPage.frame(title: "Gatehouse console", content: problemTemplate.render(["message": message]), style: style)
    }

    static func render(_ view: ConsoleView, admin: String, formToken: String, grants: ConsoleGrants.Listing? = nil) -> String {
        let connectors: [[String: Any]] = view.connectors.map { connector in
            [
                "name": connector.name, "file": connector.file, "auth": connector.auth, "state": connector.state,
                "tools": connector.tools.map { tool -> [String: Any] in
                    var row: [String: Any] = [
                        "name": tool.name, "request": tool.request, "parameters": tool.parameters,
                        "annotations": tool.annotations, "scopes": tool.scopes, "fingerprint": tool.fingerprint, "changed": tool.changed,
                        "lock": tool.lock,
                    ]
                    if !tool.title.isEmpty { row["title"] = tool.title }
                    return row
                },
            ]
        }
        var context: [String: Any] = [
            "version": view.version, "generation": String(view.generation), "admin": admin, "formToken": formToken,
            "connectors": connectors,
            "problems": view.problems.map { ["location": $0.location, "message": $0.message] },
            "lastReload": view.lastReload, "reloadCounts": view.reloadCounts,
            "reloads": view.reloads.map { ["at": $0.at, "changes": $0.changes] as [String: Any] },
            "activity": view.activity.map { activity -> [String: Any] in
                [
                    "tool": activity.tool, "calls": String(activity.calls), "errorRate": activity.errorRate, "p50": activity.p50,
                    "p95": activity.p95, "p99": activity.p99, "last": activity.last,
                ]
            },
            "calls": view.calls.map { call -> [String: Any] in
                [
                    "at": call.at, "tool": call.tool, "subject": call.subject, "outcome": call.outcome, "status": call.status,
                    "latency": call.latency, "arguments": call.arguments, "isFailure": call.isFailure,
                ]
            },
        ]
        if let error = view.lastError { context["lastError"] = error }
        if let grants {
            context["hasLinks"] = true
            context["linked"] = grants.linked.map { record -> [String: Any] in
                [
                    "subject": record.subject, "connector": record.connector,
                    "kind": record.kind == "api_key" ? "personal key" : "linked account",
                    "since": ConsoleView.time(Date(timeIntervalSince1970: TimeInterval(record.updatedAt))), "formToken": formToken,
                ]
            }
        }
        if let grants, grants.issuesTokens {
            context["hasGrants"] = true
            context["clients"] = grants.clients.map { stored -> [String: Any] in
                let client = stored.client
                return [
                    "id": client.clientID, "name": client.name ?? client.clientID, "origin": client.origin.rawValue,
                    "redirects": client.redirectURIs.joined(separator: " "),
                    "issued": client.issuedAt.map { ConsoleView.time(Date(timeIntervalSince1970: TimeInterval($0))) } ?? "",
                    "formToken": formToken,
                ]
            }
            context["grants"] = grants.grants.map { grant -> [String: Any] in
                [
                    "id": grant.id, "subject": grant.subject, "client": grant.clientID, "scopes": grant.scopes.joined(separator: " "),
                    "resource": grant.resource, "since": ConsoleView.time(Date(timeIntervalSince1970: TimeInterval(grant.createdAt))),
                    "formToken": formToken,
                ]
            }
        }
        return ConsentPage.frame(title: "Gatehouse console", content: pageTemplate.render(context), style: style)
    }
}
