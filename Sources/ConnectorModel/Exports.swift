// A tool's input and output schemas are part of the connector model's API,
// so code that reads connectors can use them without importing the engine.
@_exported @_documentation(visibility: internal) import struct JSONSchema.JSONSchema
