using System.Text.Json;
using System.Text.Json.Serialization;
using Serverless.Core.Repository;

namespace Serverless.Core.Jobs;

/// <summary>
/// A job submission, as put on the jobs queue or sent to <c>POST /jobs</c>:
/// <c>{ "id"?, "model", "version"?, "input", "output", "format"?, "inputs"?, "outputs"?, "batch_size"?, "max_error_rate"? }</c>.
/// <c>inputs</c> maps a model input to the JSONL field (a string) or the CSV / Parquet columns (an array) that feed it;
/// for an embedding model, <c>text</c> names the field or column holding each row's text (<see cref="Formats.EmbeddingRowLayout"/>).
/// </summary>
public sealed record JobRequest
{
    public string? Id { get; init; }

    public string Model { get; init; } = "";

    public long? Version { get; init; }

    public string Input { get; init; } = "";

    public string Output { get; init; } = "";

    public JobFormat Format { get; init; } = JobFormat.Jsonl;

    public IReadOnlyDictionary<string, string[]> Inputs { get; init; } = new Dictionary<string, string[]>();

    public IReadOnlyList<string> Outputs { get; init; } = [];

    public int? BatchSize { get; init; }

    public double? MaxErrorRate { get; init; }

    /// <summary>Who submitted the job (the caller identity of <c>POST /jobs</c>, or <c>caller</c> in a queued message), for metering.</summary>
    public string? Caller { get; init; }

    /// <summary>
    /// The caller the job belongs to, who sees it and in whose namespace its files are (<see cref="JobNamespace"/>):
    /// its caller, or anonymous for a queued message that names none, as such a job is billed.
    /// </summary>
    [JsonIgnore]
    public string Owner => Caller ?? Metering.CallerId.Anonymous;

    public const int MaxIdLength = 64;

    /// <summary>
    /// Largest request a job record keeps, as serialized (the inputs mapping, outputs, locations): a Table entity's
    /// string property holds 32K characters, and the record needs room beside the request for its progress.
    /// </summary>
    public const int MaxStoredBytes = 16 * 1024;

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = true,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Parses and checks a submission; every problem is an <see cref="InvalidJobException"/> naming the field.</summary>
    public static JobRequest Parse(ReadOnlySpan<byte> json)
    {
        Wire? wire;
        try
        {
            wire = JsonSerializer.Deserialize<Wire>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidJobException($"job message is not valid JSON: {e.Message}");
        }
        if (wire is null)
        {
            throw new InvalidJobException("job message must be a JSON object");
        }
        var request = FromWire(wire);
        var stored = request.ToJson().Length;
        if (stored > MaxStoredBytes)
        {
            throw new InvalidJobException($"the job request is {stored} bytes once parsed, more than the {MaxStoredBytes} a job keeps: name fewer or shorter inputs, outputs and paths");
        }
        return request;
    }

    public static bool IsValidId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(new Wire
    {
        Id = Id,
        Model = Model,
        Version = Version,
        Input = Input,
        Output = Output,
        Format = Format.ToString().ToLowerInvariant(),
        Inputs = Inputs.Count == 0 ? null : Inputs.ToDictionary(kv => kv.Key, kv => JsonSerializer.SerializeToElement(kv.Value)),
        Outputs = Outputs.Count == 0 ? null : [.. Outputs],
        BatchSize = BatchSize,
        MaxErrorRate = MaxErrorRate,
        Caller = Caller,
    }, JsonOptions);

    private static JobRequest FromWire(Wire wire)
    {
        if (wire.Id is not null && !IsValidId(wire.Id))
        {
            throw new InvalidJobException($"'id' '{wire.Id}' must be 1-{MaxIdLength} letters, digits, '-' or '_'");
        }
        if (string.IsNullOrWhiteSpace(wire.Model))
        {
            throw new InvalidJobException("'model' is required");
        }
        if (!ModelName.IsValid(wire.Model))
        {
            throw new InvalidJobException($"'model' '{wire.Model}' is not a model name (letters, digits, '-', '_', '.')");
        }
        if (wire.Version is <= 0)
        {
            throw new InvalidJobException($"'version' {wire.Version} must be a positive integer");
        }
        if (string.IsNullOrWhiteSpace(wire.Input))
        {
            throw new InvalidJobException("'input' is required: a blob URL or, in embedded mode, a path under Jobs:LocalRoot");
        }
        if (string.IsNullOrWhiteSpace(wire.Output))
        {
            throw new InvalidJobException("'output' is required: a blob prefix URL or, in embedded mode, a folder under Jobs:LocalRoot");
        }
        // A NUL or line break in a path is never a real file or blob name, and the file system APIs throw on NUL.
        if (wire.Input.Any(char.IsControl))
        {
            throw new InvalidJobException("'input' contains a control character");
        }
        if (wire.Output.Any(char.IsControl))
        {
            throw new InvalidJobException("'output' contains a control character");
        }
        var format = (wire.Format ?? "jsonl").Trim().ToLowerInvariant() switch
        {
            "jsonl" or "ndjson" => JobFormat.Jsonl,
            "csv" => JobFormat.Csv,
            "parquet" => JobFormat.Parquet,
            _ => throw new InvalidJobException($"'format' '{wire.Format}' is not one of jsonl, csv, parquet"),
        };
        if (wire.BatchSize is < 1 or > 65_536)
        {
            throw new InvalidJobException($"'batch_size' {wire.BatchSize} must be between 1 and 65536");
        }
        if (wire.MaxErrorRate is { } rate && (double.IsNaN(rate) || rate < 0 || rate > 1))
        {
            throw new InvalidJobException($"'max_error_rate' {rate} must be between 0 and 1");
        }
        return new JobRequest
        {
            Id = wire.Id,
            Model = wire.Model,
            Version = wire.Version,
            Input = wire.Input.Trim(),
            Output = wire.Output.Trim(),
            Format = format,
            Inputs = ParseInputs(wire.Inputs),
            Outputs = wire.Outputs ?? [],
            BatchSize = wire.BatchSize,
            MaxErrorRate = wire.MaxErrorRate,
            Caller = wire.Caller,
        };
    }

    private static Dictionary<string, string[]> ParseInputs(Dictionary<string, JsonElement>? inputs)
    {
        var mapping = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, value) in inputs ?? [])
        {
            mapping[name] = value.ValueKind switch
            {
                JsonValueKind.String => [Text(name, value)],
                JsonValueKind.Array when value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) && value.GetArrayLength() > 0 =>
                    value.EnumerateArray().Select(e => Text(name, e)).ToArray(),
                _ => throw new InvalidJobException($"'inputs.{name}' must be a field name or a non-empty array of column names"),
            };
        }
        return mapping;
    }

    /// <summary>
    /// A field or column name kept as a raw JSON element: the deserializer checked its syntax, not its text, so bytes
    /// that are not UTF-8 or an escaped lone surrogate surface only here.
    /// </summary>
    private static string Text(string input, JsonElement value)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new InvalidJobException($"'inputs.{input}' is not valid UTF-8 text (invalid bytes or a lone surrogate escape)");
        }
    }

    /// <summary>The JSON shape on the wire.</summary>
    private sealed class Wire
    {
        public string? Id { get; set; }
        public string? Model { get; set; }
        public long? Version { get; set; }
        public string? Input { get; set; }
        public string? Output { get; set; }
        public string? Format { get; set; }
        public Dictionary<string, JsonElement>? Inputs { get; set; }
        public string[]? Outputs { get; set; }
        public int? BatchSize { get; set; }
        public double? MaxErrorRate { get; set; }
        public string? Caller { get; set; }
    }
}
