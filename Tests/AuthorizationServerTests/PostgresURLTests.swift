import PostgresNIO
import Testing

@testable import AuthorizationServer

@Suite("PostgreSQL URL")
struct PostgresURLTests {
    @Test func theTestClusterURL() throws {
        let configuration = try PostgresURL.configuration("postgres://postgres@127.0.0.1:54329/gatehouse_test")
        #expect(configuration.host == "127.0.0.1" && configuration.port == 54329)
        #expect(configuration.username == "postgres" && configuration.password == nil)
        #expect(configuration.database == "gatehouse_test")
    }

    @Test func credentialsArePercentDecodedAndThePortDefaults() throws {
        let configuration = try PostgresURL.configuration("postgresql://gate%40house:p%2Fss%3Aw@db.internal/auth?sslmode=disable")
        #expect(configuration.username == "gate@house" && configuration.password == "p/ss:w")
        #expect(configuration.host == "db.internal" && configuration.port == 5432 && configuration.database == "auth")
    }

    @Test(arguments: [
        "mysql://u@host/db", "postgres:///db", "postgres://host/db", "postgres://u@host/db?sslmode=sometimes",
        "postgres://u@host/db?application_name=x", "not a url",
    ])
    func refused(_ url: String) {
        #expect(throws: PostgresURL.Invalid.self) { try PostgresURL.configuration(url) }
    }
}
