import Testing
@testable import ConnectorModel
import GatehouseJSON

@Test func zzScratch() {
    let cases = [
"""
connector: x
base_url: https://a.example
tools:
  - name: t
    description: d
    method: POST
    path: /a
    parameters:
      obj: { type: object, properties: { id: integer, name: { type: string, required: true } } }
""",
"""
connector: x
base_url: https://a.example
tools:
  - name: t
    description: d
    path: /a
  bad
""",
"""
connector: x
base_url: https://a.example
tools:
  - name: t
    description: d
    path: "/a
""",
"""
connector: x
base_url: https://a.example
tools:
\t- name: t
""",
"""
connector: x
base_url: https://a.example
tools:
  - name: t
    description: d
    path: /a
  - name: t
    description: e
    path: /b
""",
"""
connector: x
base_url: https:///v1
tools:
  - name: has space
    description: d
    path: /a
  - name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    description: d
    path: /a
""",
]
    for c in cases {
        let r = ConnectorDecoder().decode(yaml: c, file: "f.yaml")
        print("----")
        for d in r.diagnostics { print(d.description) }
        if let c = r.connector { for t in c.tools { print(t.inputSchema.source.jsonString) } }
    }
}
