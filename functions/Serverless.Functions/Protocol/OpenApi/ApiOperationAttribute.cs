namespace Serverless.Functions.Protocol.OpenApi;

/// <summary>
/// How an HTTP function appears in the OpenAPI document: a summary, its tag, and the schemas of its bodies (names from
/// <see cref="ApiSchemas"/>). Sits on the <c>[Function]</c> method next to its route, so a new route is documented where
/// it is declared; a test fails for an HTTP function without one.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ApiOperationAttribute(string tag, string summary) : Attribute
{
    public string Tag { get; } = tag;

    public string Summary { get; } = summary;

    /// <summary>Longer text, when the summary is not enough.</summary>
    public string? Description { get; init; }

    /// <summary>The JSON request body's schema (an <see cref="ApiSchemas"/> name); none when the call takes no body.</summary>
    public string? RequestBody { get; init; }

    /// <summary>Whether the request body may be left out (<c>POST /v2/repository/index</c>: an empty body lists everything).</summary>
    public bool RequestBodyOptional { get; init; }

    /// <summary>The success response's schema (an <see cref="ApiSchemas"/> name); none for an empty response.</summary>
    public string? Response { get; init; }

    public int ResponseStatus { get; init; } = 200;

    /// <summary>The error body's schema: the product's <c>{"error": "..."}</c>, or OpenAI's envelope on the OpenAI routes.</summary>
    public string Error { get; init; } = ApiSchemas.Error;

    public string ResponseMediaType { get; init; } = "application/json";

    /// <summary>Query parameters the function reads, each optional, as <c>name: description</c>.</summary>
    public string[] Query { get; init; } = [];
}
