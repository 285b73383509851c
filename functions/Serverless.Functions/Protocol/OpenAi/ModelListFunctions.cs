using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Serverless.Core.Errors;
using Serverless.Core.Repository;
using Serverless.Core.Text;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>
/// <c>GET /v1/models</c> and <c>GET /v1/models/{model}</c> (and under <c>/openai</c>): the repository in OpenAI's list
/// shape. Each model appears as <c>name</c> (the version its policy serves) and as <c>name:version</c> for each of its
/// versions, the two forms the <c>model</c> field takes. <c>created</c> is the time of the answer, as vLLM writes it:
/// the repository keeps no creation time.
/// </summary>
public sealed class ModelListFunctions(IModelRepository repository, ModelVersionIndex index, TimeProvider time)
{
    public const string OwnedBy = "serverless";

    [Function("OpenAiModels")]
    [ApiOperation("OpenAI", "List models", Description = "Every model of the repository, as name and as name:version.", Response = ApiSchemas.OpenAiModelList, Error = ApiSchemas.OpenAiError)]
    public Task ListAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "v1/models")] HttpRequest request) =>
        WriteListAsync(request.HttpContext);

    [Function("KServeOpenAiModels")]
    [ApiOperation("OpenAI", "List models (KServe's /openai prefix)", Description = "Every model of the repository, as name and as name:version.", Response = ApiSchemas.OpenAiModelList, Error = ApiSchemas.OpenAiError)]
    public Task ListPrefixedAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "openai/v1/models")] HttpRequest request) =>
        WriteListAsync(request.HttpContext);

    [Function("OpenAiModel")]
    [ApiOperation("OpenAI", "Retrieve a model", Description = "model is name or name:version; 404 in OpenAI's envelope when there is no such model or version.", Response = ApiSchemas.OpenAiModel, Error = ApiSchemas.OpenAiError)]
    public Task GetAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "v1/models/{model}")] HttpRequest request, string model) =>
        WriteModelAsync(request.HttpContext, model);

    [Function("KServeOpenAiModel")]
    [ApiOperation("OpenAI", "Retrieve a model (KServe's /openai prefix)", Description = "model is name or name:version; 404 in OpenAI's envelope when there is no such model or version.", Response = ApiSchemas.OpenAiModel, Error = ApiSchemas.OpenAiError)]
    public Task GetPrefixedAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "openai/v1/models/{model}")] HttpRequest request, string model) =>
        WriteModelAsync(request.HttpContext, model);

    private async Task WriteListAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        var ids = new List<string>();
        foreach (var model in await repository.ListModelsAsync(ct))
        {
            ids.Add(model);
            ids.AddRange((await index.GetVersionsAsync(model, cancellationToken: ct)).Select(v => TextModelName.Of(new ModelKey(model, v))));
        }
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        await WriteAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            foreach (var id in ids)
            {
                WriteModel(json, id, created);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private async Task WriteModelAsync(HttpContext context, string model)
    {
        if (!TextModelName.TryParse(model, out var name))
        {
            throw new ModelNotFoundException($"The model '{model}' does not exist: a model is name or name:version (a version from 1)");
        }
        ModelName.EnsureValid(name.Name);
        await index.ResolveAsync(name.Name, name.Version, context.RequestAborted);
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        await WriteAsync(context, json => WriteModel(json, model, created));
    }

    private static void WriteModel(Utf8JsonWriter json, string id, long created)
    {
        json.WriteStartObject();
        json.WriteString("id", id);
        json.WriteString("object", "model");
        json.WriteNumber("created", created);
        json.WriteString("owned_by", OwnedBy);
        json.WriteEndObject();
    }

    private static async Task WriteAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, OpenAiJson.WriterOptions))
        {
            write(json);
        }
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
