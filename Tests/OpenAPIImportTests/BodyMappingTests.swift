import ConnectorModel
import GatehouseJSON
import Testing

@testable import OpenAPIImport

@Suite struct BodyMappingTests {
    static let petSchema = """
            Pet:
              type: object
              required: [name]
              properties:
                id: { type: integer, readOnly: true }
                name: { type: string, minLength: 1 }
                tag: { type: string, description: Free-form label }
                owner:
                  type: object
                  required: [email]
                  properties:
                    email: { type: string, format: email }
                    phone: { type: string }
                sizes: { type: array, items: { type: number }, maxItems: 3 }
        """

    @Test func jsonObjectBodiesBecomeParametersAndATemplate() throws {
        let imported = try Imported(
            document(
                paths: """
                      /pets:
                        post:
                          operationId: createPet
                          requestBody:
                            required: true
                            content:
                              application/json:
                                schema: { $ref: '#/components/schemas/Pet' }
                              application/xml:
                                schema: { $ref: '#/components/schemas/Pet' }
                    """,
                components: "  schemas:\n" + Self.petSchema))
        let tool = try imported.tool("create_pet")
        #expect(tool.method == .POST)
        // The server sets read-only properties, so `id` is not asked for.
        #expect(tool.parameters.map(\.name) == ["name", "tag", "owner", "sizes"])
        #expect(tool.parameters.allSatisfy { $0.location == .body })
        let name = try tool.parameter("name")
        #expect(name.required && name.schema["minLength"] == 1)
        #expect(try !tool.parameter("tag").required)
        let owner = try tool.parameter("owner")
        #expect(owner.schema["required"] == ["email"])
        #expect(owner.schema["properties"]?["email"] == ["type": "string", "format": "email"])
        #expect(try tool.parameter("sizes").schema["maxItems"] == 3)

        let body = try #require(tool.body)
        #expect(
            body
                == .object([
                    ("name", .string(StringTemplate(parts: [.reference(.argument("name"))]))),
                    ("tag", .string(StringTemplate(parts: [.reference(.argument("tag"))]))),
                    ("owner", .string(StringTemplate(parts: [.reference(.argument("owner"))]))),
                    ("sizes", .string(StringTemplate(parts: [.reference(.argument("sizes"))]))),
                ]))
        #expect(tool.headers.isEmpty, "application/json needs no Content-Type of its own")
    }

    @Test func bodyPropertiesThatClashWithParametersAreRenamedInTheTemplateOnly() throws {
        let imported = try Imported(
            document(
                paths: """
                      /users/{name}:
                        put:
                          operationId: updateUser
                          parameters:
                            - { name: name, in: path, required: true, schema: { type: string } }
                          requestBody:
                            content:
                              application/json:
                                schema: { type: object, properties: { name: { type: string }, age: { type: integer } } }
                    """))
        let tool = try imported.tool("update_user")
        #expect(tool.parameters.map(\.name) == ["name", "body_name", "age"])
        #expect(imported.result.yaml.contains("name: \"{{ body_name }}\""))
    }

    @Test func listAndScalarBodiesAreOneArgument() throws {
        let imported = try Imported(
            document(
                paths: """
                      /batch:
                        post:
                          operationId: createMany
                          requestBody:
                            required: true
                            description: The items to create.
                            content:
                              application/json:
                                schema: { type: array, items: { type: object, properties: { id: { type: integer } } } }
                    """))
        let tool = try imported.tool("create_many")
        let body = try tool.parameter("body")
        #expect(body.required && body.location == .body)
        #expect(body.schema["description"] == "The items to create.")
        #expect(tool.body == .string(StringTemplate(parts: [.reference(.argument("body"))])))
    }

    @Test func jsonVariantMediaTypesAreSentWithTheirContentType() throws {
        let imported = try Imported(
            document(
                paths: """
                      /items/{id}:
                        patch:
                          operationId: patchItem
                          parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
                          requestBody:
                            content:
                              application/merge-patch+json:
                                schema: { type: object, properties: { title: { type: string } } }
                    """))
        let tool = try imported.tool("patch_item")
        #expect(tool.headers.map(\.name) == ["Content-Type"])
        #expect(tool.headers.first?.value == StringTemplate(parts: [.text("application/merge-patch+json")]))
    }

    /// Kubernetes lists JSON Patch first; its schema is the object a merge
    /// patch sends, so the merge patch is chosen.
    @Test func aMergePatchIsPreferredToAJSONPatch() throws {
        let imported = try Imported(
            document(
                paths: """
                      /items/{id}:
                        patch:
                          operationId: patchItem
                          parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
                          requestBody:
                            content:
                              application/apply-patch+yaml: { schema: { type: object } }
                              application/json-patch+json: { schema: { type: object } }
                              application/merge-patch+json: { schema: { type: object } }
                              application/strategic-merge-patch+json: { schema: { type: object } }
                    """))
        let tool = try imported.tool("patch_item")
        #expect(tool.headers.first?.value == StringTemplate(parts: [.text("application/merge-patch+json")]))
    }

    @Test func deleteBodiesSayTheyGoInTheBody() throws {
        let imported = try Imported(
            document(
                paths: """
                      /sessions:
                        delete:
                          operationId: endSessions
                          requestBody:
                            content:
                              application/json:
                                schema: { type: object, properties: { ids: { type: array, items: { type: string } } } }
                    """))
        #expect(try imported.tool("end_sessions").parameter("ids").location == .body)
    }

    @Test func otherBodiesAreSkippedWithAReason() throws {
        let imported = try Imported(
            document(
                paths: """
                      /upload:
                        post:
                          operationId: upload
                          requestBody:
                            required: true
                            content:
                              application/octet-stream: {}
                      /photo:
                        put:
                          operationId: setPhoto
                          requestBody:
                            content:
                              image/png: {}
                      /empty-form:
                        post:
                          operationId: emptyForm
                          requestBody:
                            content:
                              application/x-www-form-urlencoded:
                                schema: { type: object }
                    """))
        // A required body that cannot be sent skips the operation; an
        // optional one only the body; a form without fields is never
        // written as a tool that sends nothing.
        #expect(imported.toolNames == ["set_photo"])
        #expect(try imported.tool("set_photo").body == nil)
        let notes = imported.notes.joined(separator: "\n")
        #expect(notes.contains("upload (POST /upload): skipped: its request body cannot be sent: it is application/octet-stream;"))
        #expect(notes.contains("the optional request body is left out: it is image/png; only JSON, form and multipart bodies are supported"))
        #expect(notes.contains("emptyForm (POST /empty-form): skipped: its application/x-www-form-urlencoded body has no described fields"))
        #expect(imported.result.yaml.contains("# Skipped emptyForm (POST /empty-form): its application/x-www-form-urlencoded body has no"))
    }

    @Test func formBodiesBecomeFieldsInTheirStyle() throws {
        // Stripe: deepObject encodings (brackets); Twilio: the default form style.
        let imported = try Imported(
            document(
                paths: """
                      /v1/customers:
                        post:
                          operationId: PostCustomers
                          requestBody:
                            content:
                              application/x-www-form-urlencoded:
                                encoding: { expand: { explode: true, style: deepObject }, address: { explode: true, style: deepObject } }
                                schema:
                                  type: object
                                  required: [email]
                                  properties:
                                    email: { type: string, maxLength: 512 }
                                    expand: { type: array, items: { type: string } }
                                    address: { type: object, properties: { city: { type: string } } }
                      /Accounts/{Sid}/Calls.json:
                        post:
                          operationId: CreateCall
                          parameters: [{ name: Sid, in: path, required: true, schema: { type: string } }]
                          requestBody:
                            content:
                              application/x-www-form-urlencoded:
                                schema:
                                  type: object
                                  required: [To]
                                  properties:
                                    To: { type: string }
                                    StatusCallbackEvent: { type: array, items: { type: string } }
                      /files:
                        post:
                          operationId: uploadFile
                          requestBody:
                            required: true
                            content:
                              multipart/form-data:
                                schema:
                                  type: object
                                  required: [file]
                                  properties:
                                    purpose: { type: string, enum: [evidence, identity] }
                                    file: { type: string, format: binary }
                    """))
        let customers = try imported.tool("post_customers")
        #expect(customers.bodyFormat == .formBrackets)
        #expect(try customers.parameter("email").required && customers.parameter("email").location == .body)
        #expect(try customers.parameter("address").schema["type"] == "object")
        let call = try imported.tool("create_call")
        #expect(call.bodyFormat == .form)
        #expect(try call.parameter("To").required)
        let upload = try imported.tool("upload_file")
        #expect(upload.bodyFormat == .multipart)
        #expect(upload.fileFields == ["file": "file"])
        #expect(try upload.parameter("file").schema["contentEncoding"] == "base64")
        #expect(!imported.result.yaml.contains("Content-Type"), "the body format sets the content type")
    }

    @Test func aFieldKeepsItsOwnRequiredWhenTheBodyIsOptional() throws {
        // GitHub's issues/create: the body is not marked required, its title is.
        let imported = try Imported(
            document(
                paths: """
                      /notes:
                        post:
                          operationId: addNote
                          requestBody:
                            required: false
                            content:
                              application/json:
                                schema: { type: object, required: [text], properties: { text: { type: string } } }
                    """))
        #expect(try imported.tool("add_note").parameter("text").required)
    }

    @Test func bodiesOnGETAreLeftOut() throws {
        let imported = try Imported(
            document(
                paths: """
                      /search:
                        get:
                          operationId: search
                          requestBody:
                            content:
                              application/json:
                                schema: { type: object, properties: { q: { type: string } } }
                    """))
        #expect(try imported.tool("search").parameters.isEmpty)
        #expect(imported.notes.contains { $0.contains("no body with GET") })
    }
}

/// Alternatives of one shape keep every value any of them allows.
@Suite struct AlternativeSchemaTests {
    @Test func sameNamedFieldsOfAlternativesUnionTheirEnums() throws {
        // OpenAI's response_format: text, json_object or json_schema.
        let imported = try Imported(
            document(
                paths: """
                      /chat/completions:
                        post:
                          operationId: createChatCompletion
                          requestBody:
                            required: true
                            content:
                              application/json:
                                schema:
                                  type: object
                                  properties:
                                    response_format:
                                      oneOf:
                                        - { type: object, properties: { type: { type: string, enum: [text] } } }
                                        - { type: object, properties: { type: { type: string, enum: [json_object] } } }
                                        - { type: object, properties: { type: { type: string, enum: [json_schema] }, json_schema: { type: object } } }
                                    seed: { oneOf: [{ type: integer }, { type: string }] }
                    """))
        let tool = try imported.tool("create_chat_completion")
        let format = try tool.parameter("response_format").schema
        #expect(format["properties"]?["type"]?["enum"] == ["text", "json_object", "json_schema"])
        #expect(format["properties"]?["json_schema"] != nil)
        #expect(try tool.parameter("seed").schema["type"] == "string")
    }
}

extension AlternativeSchemaTests {
    /// OpenAI's embeddings `input` is a string or a list: `parameters:`
    /// cannot say that, so the tool takes its arguments as a JSON Schema
    /// with an `anyOf`, and the rest of the tool is unchanged.
    @Test func aFieldOfSeveralKindsMakesTheToolTakeAJSONSchema() throws {
        let imported = try Imported(
            document(
                paths: """
                      /embeddings/{project}:
                        post:
                          operationId: createEmbedding
                          parameters: [{ name: project, in: path, required: true, schema: { type: string } }]
                          requestBody:
                            required: true
                            content:
                              application/json:
                                schema:
                                  type: object
                                  required: [input, model]
                                  properties:
                                    input:
                                      description: Text to embed.
                                      oneOf:
                                        - { type: string }
                                        - { type: array, minItems: 1, items: { type: string } }
                                    model: { type: string }
                                    dimensions: { type: integer, minimum: 1 }
                    """))
        let tool = try imported.tool("create_embedding")
        let schema = tool.inputSchema.source
        #expect(schema["required"] == ["project", "input", "model"])
        #expect(schema["additionalProperties"] == false)
        #expect(schema["properties"]?["input"] == [
            "anyOf": [["type": "string"], ["type": "array", "minItems": 1, "items": ["type": "string"]]],
            "description": "Text to embed.",
        ])
        #expect(schema["properties"]?["dimensions"] == ["type": "integer", "minimum": 1])
        #expect(try tool.parameter("input").location == .body)
        #expect(try tool.parameter("project").location == .path)
        #expect(imported.notes.contains { $0.contains("'input' may take values of several kinds: the tool's arguments are written as a JSON Schema") })
    }
}

@Suite struct ArrayItemTests {
    @Test func itemsThatCannotBeDescribedAreLeftOpenWithANote() throws {
        let imported = try Imported(
            document(
                paths: """
                      /messages:
                        post:
                          operationId: send
                          requestBody:
                            content:
                              application/json:
                                schema:
                                  type: object
                                  properties:
                                    labels: { type: array, items: { type: string, maxLength: 50 } }
                                    messages: { type: array, items: { oneOf: [{ type: object }, { type: array }] } }
                    """))
        let tool = try imported.tool("send")
        #expect(try tool.parameter("labels").schema["items"] == ["type": "string", "maxLength": 50])
        #expect(try tool.parameter("messages").schema["items"] == nil)
        #expect(imported.notes.contains { $0.contains("the items of an array are left open: it accepts values of several types (array, object)") })
    }
}

/// Stripe's idioms: an empty string to unset a field, deletes with a form
/// that allows no fields.
@Suite struct StripeIdiomTests {
    @Test func anEmptyStringAlternativeIsTheValueOrUnsetAndADeleteSendsNothing() throws {
        let imported = try Imported(
            document(
                paths: """
                      /v1/customers/{customer}:
                        post:
                          operationId: PostCustomersCustomer
                          parameters: [{ name: customer, in: path, required: true, schema: { type: string } }]
                          requestBody:
                            content:
                              application/x-www-form-urlencoded:
                                schema:
                                  type: object
                                  properties:
                                    address:
                                      anyOf:
                                        - { type: object, properties: { city: { type: string } } }
                                        - { type: string, enum: [""] }
                        delete:
                          operationId: DeleteCustomersCustomer
                          parameters: [{ name: customer, in: path, required: true, schema: { type: string } }]
                          requestBody:
                            content:
                              application/x-www-form-urlencoded:
                                schema: { type: object, properties: {}, additionalProperties: false }
                    """))
        let update = try imported.tool("post_customers_customer")
        #expect(try update.parameter("address").schema["properties"]?["city"] != nil)
        let delete = try imported.tool("delete_customers_customer")
        #expect(delete.body == nil && delete.bodyFormat == .json)
        #expect(delete.parameters.map(\.name) == ["customer"])
        #expect(imported.notes.contains { $0.contains("the request body allows no fields; none is sent") })
    }
}
