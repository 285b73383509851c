using System.Text.Json;
using Microsoft.Extensions.Options;
using Serverless.Core.Inference;
using Serverless.Core.Repository;
using Serverless.Functions.Protocol.Codecs;

namespace Serverless.Functions.Protocol.Http;

/// <summary><c>POST /v2/models/{model}[/versions/{version}]/infer</c>.</summary>
public static class InferenceEndpoints
{
    public static IEndpointRouteBuilder MapInferenceEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v2/models/{model}/infer", (HttpContext context, string model, InferenceService service, IOptions<InferenceOptions> options) =>
            InferAsync(context, model, null, service, options.Value));
        app.MapPost("/v2/models/{model}/versions/{version}/infer", (HttpContext context, string model, string version, InferenceService service, IOptions<InferenceOptions> options) =>
            InferAsync(context, model, ModelName.ParseVersion(model, version), service, options.Value));
        return app;
    }

    private static async Task InferAsync(HttpContext context, string model, long? version, InferenceService service, InferenceOptions options)
    {
        ModelName.EnsureValid(model);
        InferenceRequest request;
        using (var body = await RequestBody.ReadAsync(context.Request, options.MaxRequestBytes, context.RequestAborted))
        {
            request = InferenceRequestJsonReader.Read(body.Span);
        }
        var response = await service.InferAsync(model, version, request, context.RequestAborted);
        context.Response.ContentType = "application/json";
        await using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            InferenceResponseJsonWriter.Write(writer, response);
        }
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
