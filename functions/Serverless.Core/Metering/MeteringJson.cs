using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Core.Metering;

/// <summary>How plans are written wherever they leave the process (admin API, stores): snake_case, like the rest of the API.</summary>
public static class MeteringJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    public static string Write(CallerPlan plan) => JsonSerializer.Serialize(plan, Options);

    public static CallerPlan ReadPlan(string json) => JsonSerializer.Deserialize<CallerPlan>(json, Options) ?? new CallerPlan();
}
