using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Serverless.Functions.Protocol.OpenApi;

/// <summary>
/// The body shapes of the API as OpenAPI schemas, by the names <see cref="ApiOperationAttribute"/> refers to. The
/// inference, metadata and error shapes follow the Open Inference Protocol's REST specification (same field names and
/// types); the others describe what the functions in <c>Protocol/Http</c> write (snake_case, nulls left out).
/// </summary>
public static class ApiSchemas
{
    public const string Error = "error_response";
    public const string ServerLive = "server_live_response";
    public const string ServerReady = "server_ready_response";
    public const string ServerMetadata = "metadata_server_response";
    public const string ModelMetadata = "metadata_model_response";
    public const string MetadataTensor = "metadata_tensor";
    public const string ModelReady = "model_ready_response";
    public const string ModelConfig = "model_config_response";
    public const string ModelStatistics = "model_statistics_response";
    public const string Parameters = "parameters";
    public const string TensorData = "tensor_data";
    public const string InferenceRequest = "inference_request";
    public const string RequestInput = "request_input";
    public const string RequestOutput = "request_output";
    public const string InferenceResponse = "inference_response";
    public const string ResponseOutput = "response_output";
    public const string RepositoryIndexRequest = "repository_index_request";
    public const string RepositoryIndex = "repository_index_response";
    public const string RepositoryLoad = "repository_load_response";
    public const string RepositoryUnload = "repository_unload_response";
    public const string JobRequest = "job_request";
    public const string JobStatus = "job_status";
    public const string JobList = "job_list";
    public const string UsageReport = "usage_report";
    public const string CallerRequest = "caller_request";
    public const string CallerPlan = "caller_plan";
    public const string Caller = "caller";
    public const string CallerList = "caller_list";
    public const string IssuedKey = "issued_key";
    public const string OpenApiDocument = "openapi_document";
    public const string Text = "text";
    public const string OpenAiError = "openai_error_response";
    public const string OpenAiModel = "openai_model";
    public const string OpenAiModelList = "openai_model_list";
    public const string OpenAiEmbeddingRequest = "openai_embedding_request";
    public const string OpenAiEmbeddingResponse = "openai_embedding_response";
    public const string OpenAiChatCompletionRequest = "openai_chat_completion_request";
    public const string OpenAiChatCompletion = "openai_chat_completion";
    public const string OpenAiCompletionRequest = "openai_completion_request";
    public const string OpenAiCompletion = "openai_completion";
    public const string OpenAiUsage = "openai_usage";
    public const string GenerateRequest = "generate_request";
    public const string GenerateResponse = "generate_response";

    /// <summary>Every schema by name; <paramref name="document"/> resolves the references between them.</summary>
    public static Dictionary<string, IOpenApiSchema> Build(OpenApiDocument document)
    {
        IOpenApiSchema Ref(string name) => new OpenApiSchemaReference(name, document);
        return new()
        {
            [Error] = Object(new() { ["error"] = String("What went wrong, for a person to read.") }, "error"),
            [ServerLive] = Object(new() { ["live"] = Boolean() }, "live"),
            [ServerReady] = Object(new() { ["ready"] = Boolean(), ["error"] = String("Why the server is not ready (503 only).") }, "ready"),
            [ServerMetadata] = Object(new() { ["name"] = String(), ["version"] = String(), ["extensions"] = Array(String()) }, "name", "version", "extensions"),
            [ModelMetadata] = Object(new()
            {
                ["name"] = String(),
                ["versions"] = Array(String()),
                ["platform"] = String(),
                ["inputs"] = Array(Ref(MetadataTensor)),
                ["outputs"] = Array(Ref(MetadataTensor)),
                ["properties"] = Map(String()),
            }, "name", "platform"),
            [MetadataTensor] = Object(new() { ["name"] = String(), ["datatype"] = String(), ["shape"] = Array(Integer()) }, "name", "datatype", "shape"),
            [ModelReady] = Object(new() { ["name"] = String(), ["version"] = String(), ["ready"] = Boolean() }, "name", "version", "ready"),
            [ModelConfig] = Object(new()
            {
                ["name"] = String(),
                ["platform"] = String(),
                ["backend"] = String(),
                ["version_policy"] = FreeObject(),
                ["max_batch_size"] = Integer(),
                ["input"] = Array(FreeObject()),
                ["output"] = Array(FreeObject()),
                ["dynamic_batching"] = FreeObject(),
            }, "Triton's model configuration, as Triton's model_configuration extension writes it.", "name", "platform"),
            [ModelStatistics] = Object(new()
            {
                ["model_stats"] = Array(Object(new()
                {
                    ["name"] = String(),
                    ["version"] = String(),
                    ["last_inference"] = Integer("Milliseconds since the Unix epoch."),
                    ["inference_count"] = Integer(),
                    ["execution_count"] = Integer(),
                    ["inference_stats"] = FreeObject("success, fail, queue, compute_input, compute_infer, compute_output: each { count, ns }."),
                    ["batch_stats"] = Array(FreeObject()),
                })),
            }, "model_stats"),
            [Parameters] = FreeObject("Named parameters of a request, an input or an output."),
            // The specification nests tensor_data in itself; API Management refuses schemas that refer to themselves, so a
            // nested level is any array here.
            [TensorData] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Description = "Tensor elements in row-major order, flat or nested.",
                Items = new OpenApiSchema { AnyOf = [new OpenApiSchema { Type = JsonSchemaType.Array }, Number(), String(), Boolean()] },
            },
            [InferenceRequest] = Object(new()
            {
                ["id"] = String(),
                ["parameters"] = Ref(Parameters),
                ["inputs"] = Array(Ref(RequestInput)),
                ["outputs"] = Array(Ref(RequestOutput)),
            }, "inputs"),
            [RequestInput] = Object(new()
            {
                ["name"] = String(),
                ["shape"] = Array(Integer()),
                ["datatype"] = String(),
                ["parameters"] = Ref(Parameters),
                ["data"] = Ref(TensorData),
            }, "name", "shape", "datatype"),
            [RequestOutput] = Object(new() { ["name"] = String(), ["parameters"] = Ref(Parameters) }, "name"),
            [InferenceResponse] = Object(new()
            {
                ["model_name"] = String(),
                ["model_version"] = String(),
                ["id"] = String(),
                ["parameters"] = Ref(Parameters),
                ["outputs"] = Array(Ref(ResponseOutput)),
            }, "model_name", "outputs"),
            // data is left out of required: with the binary tensor data extension it travels after the JSON instead.
            [ResponseOutput] = Object(new()
            {
                ["name"] = String(),
                ["shape"] = Array(Integer()),
                ["datatype"] = String(),
                ["parameters"] = Ref(Parameters),
                ["data"] = Ref(TensorData),
            }, "name", "shape", "datatype"),
            [RepositoryIndexRequest] = Object(new() { ["ready"] = Boolean("true: list only the versions loaded and ready.") }),
            [RepositoryIndex] = Array(Object(new()
            {
                ["name"] = String(),
                ["version"] = String(),
                ["state"] = String("READY, LOADING, UNAVAILABLE, ..."),
                ["reason"] = String(),
                ["kind"] = String("tensor, embedding or generative; present once the version is loaded."),
            }, "name", "version", "state")),
            [RepositoryLoad] = Object(new() { ["name"] = String(), ["version"] = String(), ["state"] = String(), ["action"] = String("What the load did: loaded, already loaded, ...") },
                "name", "version", "state", "action"),
            [RepositoryUnload] = Object(new() { ["name"] = String(), ["unloaded_versions"] = Array(Integer()) }, "name", "unloaded_versions"),
            [JobRequest] = Object(new()
            {
                ["id"] = String(),
                ["model"] = String(),
                ["version"] = Integer(),
                ["input"] = String("Blob folder or file of the rows to score."),
                ["output"] = String("Blob folder the results are written to."),
                ["format"] = Enum("jsonl", "ndjson", "csv", "parquet"),
                ["inputs"] = FreeObject(),
                ["outputs"] = Array(String()),
                ["batch_size"] = Integer(),
                ["max_error_rate"] = Number(),
            }, "model", "input", "output"),
            [JobStatus] = Object(new()
            {
                ["id"] = String(),
                ["caller"] = String(),
                ["state"] = String(),
                ["model"] = String(),
                ["model_version"] = Integer(),
                ["format"] = String(),
                ["input"] = String(),
                ["output"] = String(),
                ["status_url"] = String(),
                ["rows"] = Object(new() { ["done"] = Integer(), ["scored"] = Integer(), ["failed"] = Integer(), ["total"] = Integer() }, "done", "scored", "failed"),
                ["shards"] = Object(new()
                {
                    ["done"] = Integer(),
                    ["total"] = Integer(),
                    ["poisoned"] = Integer(),
                    ["poisoned_shards"] = Array(Object(new() { ["shard"] = Integer(), ["reason"] = String() }, "shard", "reason")),
                }, "done", "total", "poisoned"),
                ["outputs"] = Object(new() { ["folder"] = String(), ["manifest"] = String(), ["errors"] = String() }, "folder", "manifest"),
                ["created_at"] = DateTime(),
                ["started_at"] = DateTime(),
                ["completed_at"] = DateTime(),
                ["duration_seconds"] = Number(),
                ["error"] = String(),
            }, "id", "caller", "state", "model", "format", "input", "output", "status_url", "rows", "shards", "created_at"),
            [JobList] = Object(new() { ["jobs"] = Array(Ref(JobStatus)) }, "jobs"),
            [UsageReport] = Object(new()
            {
                ["caller"] = String(),
                ["model"] = String(),
                ["from"] = DateTime(),
                ["to"] = DateTime(),
                ["calls"] = Integer(),
                ["rows"] = Integer(),
                ["input_tokens"] = Integer(),
                ["output_tokens"] = Integer(),
                ["compute_seconds"] = Number(),
                ["cost"] = Number(),
                ["failed"] = Integer(),
                ["rejected"] = Integer(),
                ["groups"] = Array(FreeObject("The group's key (day or model, after group_by) and its calls, rows, input_tokens, output_tokens, compute_seconds, cost, failed, rejected.")),
            }, "from", "to", "calls", "rows", "input_tokens", "output_tokens", "compute_seconds", "cost", "failed", "rejected"),
            [CallerPlan] = Object(new()
            {
                ["requests_per_second"] = Number(),
                ["burst"] = Integer(),
                ["monthly_quota"] = Number(),
                ["quota_unit"] = String(),
            }),
            [CallerRequest] = Object(new() { ["id"] = String(), ["plan"] = Ref(CallerPlan) }, "id"),
            [Caller] = Object(new()
            {
                ["id"] = String(),
                ["plan"] = Ref(CallerPlan),
                ["created_at"] = DateTime(),
                ["keys"] = Array(Object(new() { ["key_id"] = String(), ["created_at"] = DateTime(), ["revoked_at"] = DateTime() }, "key_id", "created_at")),
            }, "id", "plan", "created_at", "keys"),
            [CallerList] = Object(new() { ["callers"] = Array(Ref(Caller)) }, "callers"),
            [IssuedKey] = Object(new()
            {
                ["key_id"] = String(),
                ["key"] = String("The secret: shown once, never stored in clear."),
                ["caller"] = String(),
                ["created_at"] = DateTime(),
            }, "key_id", "key", "caller", "created_at"),
            [OpenApiDocument] = FreeObject("An OpenAPI 3.0 document."),
            [Text] = String(),
            [OpenAiError] = Object(new()
            {
                ["error"] = Object(new()
                {
                    ["message"] = String("What went wrong, for a person to read."),
                    ["type"] = String("invalid_request_error, insufficient_quota, requests or server_error."),
                    ["param"] = String("The offending field, or null."),
                    ["code"] = String("model_not_found, invalid_api_key, rate_limit_exceeded, insufficient_quota, unsupported_parameter, or null."),
                }, "message", "type"),
            }, "OpenAI's error envelope.", "error"),
            [OpenAiModel] = Object(new() { ["id"] = String("name or name:version."), ["object"] = String(), ["created"] = Integer(), ["owned_by"] = String() },
                "id", "object", "created", "owned_by"),
            [OpenAiModelList] = Object(new() { ["object"] = String(), ["data"] = Array(Ref(OpenAiModel)) }, "object", "data"),
            [OpenAiEmbeddingRequest] = Object(new()
            {
                ["model"] = String("name or name:version."),
                ["input"] = new OpenApiSchema
                {
                    Description = "A string, a list of strings, a list of token ids, or a list of token id lists.",
                    AnyOf = [String(), Array(String()), Array(Integer()), Array(Array(Integer()))],
                },
                ["encoding_format"] = Enum("float", "base64"),
                ["dimensions"] = Integer("Accepted only when equal to the model's."),
                ["user"] = String(),
            }, "model", "input"),
            [OpenAiEmbeddingResponse] = Object(new()
            {
                ["object"] = String(),
                ["data"] = Array(Object(new()
                {
                    ["object"] = String(),
                    ["index"] = Integer(),
                    ["embedding"] = new OpenApiSchema { Description = "Numbers, or base64 of little-endian float32.", AnyOf = [Array(Number()), String()] },
                }, "object", "index", "embedding")),
                ["model"] = String(),
                ["usage"] = Object(new() { ["prompt_tokens"] = Integer(), ["total_tokens"] = Integer() }, "prompt_tokens", "total_tokens"),
            }, "object", "data", "model", "usage"),
            [OpenAiChatCompletionRequest] = Object(SamplingFields(new()
            {
                ["messages"] = Array(Object(new()
                {
                    ["role"] = Enum("system", "developer", "user", "assistant"),
                    ["content"] = new OpenApiSchema { AnyOf = [String(), Array(Object(new() { ["type"] = Enum("text"), ["text"] = String() }, "type", "text"))] },
                }, "role", "content")),
                ["max_completion_tokens"] = Integer(),
            }), "model", "messages"),
            [OpenAiChatCompletion] = Object(new()
            {
                ["id"] = String(),
                ["object"] = String(),
                ["created"] = Integer(),
                ["model"] = String(),
                ["choices"] = Array(Object(new()
                {
                    ["index"] = Integer(),
                    ["message"] = Object(new() { ["role"] = String(), ["content"] = String() }, "role", "content"),
                    ["logprobs"] = FreeObject("Always null."),
                    ["finish_reason"] = Enum("stop", "length"),
                }, "index", "message", "finish_reason")),
                ["usage"] = Ref(OpenAiUsage),
            }, "With \"stream\": true, Server-Sent Events of chat.completion.chunk objects instead, ending with data: [DONE].", "id", "object", "created", "model", "choices"),
            [OpenAiCompletionRequest] = Object(SamplingFields(new()
            {
                ["prompt"] = new OpenApiSchema { AnyOf = [String(), Array(String())] },
            }), "model", "prompt"),
            [OpenAiCompletion] = Object(new()
            {
                ["id"] = String(),
                ["object"] = String(),
                ["created"] = Integer(),
                ["model"] = String(),
                ["choices"] = Array(Object(new()
                {
                    ["index"] = Integer(),
                    ["text"] = String(),
                    ["logprobs"] = FreeObject("Always null."),
                    ["finish_reason"] = Enum("stop", "length"),
                }, "index", "text", "finish_reason")),
                ["usage"] = Ref(OpenAiUsage),
            }, "With \"stream\": true, Server-Sent Events of text_completion objects instead, ending with data: [DONE].", "id", "object", "created", "model", "choices"),
            [OpenAiUsage] = Object(new() { ["prompt_tokens"] = Integer(), ["completion_tokens"] = Integer(), ["total_tokens"] = Integer() },
                "prompt_tokens", "completion_tokens", "total_tokens"),
            [GenerateRequest] = Object(new()
            {
                ["text_input"] = String(),
                ["parameters"] = Object(new()
                {
                    ["max_tokens"] = Integer(),
                    ["temperature"] = Number(),
                    ["top_p"] = Number(),
                    ["top_k"] = Integer(),
                    ["seed"] = Integer(),
                    ["stop"] = new OpenApiSchema { AnyOf = [String(), Array(String())] },
                }),
            }, "text_input"),
            [GenerateResponse] = Object(new()
            {
                ["model_name"] = String(),
                ["model_version"] = String(),
                ["text_output"] = String(),
                ["finish_reason"] = Enum("stop", "length"),
                ["num_input_tokens"] = Integer(),
                ["num_output_tokens"] = Integer(),
            }, "model_name", "model_version", "text_output"),
        };
    }

    /// <summary>The fields chat completions and completions share.</summary>
    private static Dictionary<string, IOpenApiSchema> SamplingFields(Dictionary<string, IOpenApiSchema> fields)
    {
        fields["model"] = String("name or name:version.");
        fields["max_tokens"] = Integer();
        fields["temperature"] = Number();
        fields["top_p"] = Number();
        fields["top_k"] = Integer();
        fields["seed"] = Integer();
        fields["stop"] = new OpenApiSchema { AnyOf = [String(), Array(String())] };
        fields["n"] = Integer();
        fields["stream"] = Boolean();
        fields["stream_options"] = Object(new() { ["include_usage"] = Boolean() });
        fields["user"] = String();
        return fields;
    }

    private static OpenApiSchema Object(Dictionary<string, IOpenApiSchema> properties, params string[] required) => Object(properties, null, required);

    private static OpenApiSchema Object(Dictionary<string, IOpenApiSchema> properties, string? description, params string[] required) => new()
    {
        Type = JsonSchemaType.Object,
        Description = description,
        Properties = properties,
        Required = required.Length > 0 ? new HashSet<string>(required) : null,
    };

    private static OpenApiSchema FreeObject(string? description = null) => new() { Type = JsonSchemaType.Object, Description = description };

    private static OpenApiSchema Map(IOpenApiSchema values) => new() { Type = JsonSchemaType.Object, AdditionalProperties = values };

    private static OpenApiSchema Array(IOpenApiSchema items) => new() { Type = JsonSchemaType.Array, Items = items };

    private static OpenApiSchema String(string? description = null) => new() { Type = JsonSchemaType.String, Description = description };

    private static OpenApiSchema DateTime() => new() { Type = JsonSchemaType.String, Format = "date-time" };

    private static OpenApiSchema Integer(string? description = null) => new() { Type = JsonSchemaType.Integer, Format = "int64", Description = description };

    private static OpenApiSchema Number() => new() { Type = JsonSchemaType.Number, Format = "double" };

    private static OpenApiSchema Boolean(string? description = null) => new() { Type = JsonSchemaType.Boolean, Description = description };

    private static OpenApiSchema Enum(params string[] values) =>
        new() { Type = JsonSchemaType.String, Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))] };
}
