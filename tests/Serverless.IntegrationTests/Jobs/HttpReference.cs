using System.Net.Http.Json;
using System.Text.Json;

namespace Serverless.Tests.Jobs;

/// <summary>What the HTTP API answers for one iris row: the reference a job's output row must equal.</summary>
public static class HttpReference
{
    public static async Task<(float[] Probabilities, long Label)> InferAsync(HttpClient client, float[] features)
    {
        var response = await client.PostAsJsonAsync("/v2/models/iris-mlp/infer", new
        {
            inputs = new[] { new { name = "features", datatype = "FP32", shape = new[] { 1, 4 }, data = features } },
        });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var outputs = body.RootElement.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!, o => o.GetProperty("data"));
        return (outputs["probabilities"].EnumerateArray().Select(v => v.GetSingle()).ToArray(), outputs["label"].EnumerateArray().Single().GetInt64());
    }
}
