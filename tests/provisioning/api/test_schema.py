"""The OpenAPI schema is served and documents every error answer.

Generated requests against it are in test_schemathesis.py."""


def test_schema_and_docs_are_served(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    docs = client.get("/api/docs/")

    assert schema["openapi"].startswith("3.")
    assert "/api/v1/sdk/proxy-config" in schema["paths"]
    assert "/api/v1/requests/{id}/{action}/" in schema["paths"]
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_every_operation_documents_its_errors(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            errors = [code for code in operation["responses"] if code.startswith("4")]
            assert errors, f"{method.upper()} {path} documents no error answers"
            for code in errors:
                content = operation["responses"][code]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}


def test_every_operation_documents_the_answers_given_before_its_view(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "400" in operation["responses"], f"{method.upper()} {path}"
            has_body = "requestBody" in operation
            assert ("415" in operation["responses"]) == has_body, f"{method.upper()} {path}"
            codes = list(operation["responses"])
            assert codes == sorted(codes), f"{method.upper()} {path}"
    pools = schema["paths"]["/api/v1/pools/{id}/"]["get"]["responses"]["400"]
    assert "NUL" in pools["description"]
