using System.Text.Json;
using Serverless.Testing;

namespace Serverless.Tests.Jobs;

/// <summary>Polls GET /jobs/{id} until the job is finished.</summary>
public static class JobPolling
{
    private static readonly string[] Terminal = ["succeeded", "partially_succeeded", "failed", "cancelled"];

    public static async Task<JsonElement> WaitForFinishAsync(HttpClient client, string id, TimeSpan? timeout = null)
    {
        var last = "none";
        try
        {
            var finished = await Eventually.ValueAsync(async () =>
            {
                using var response = await client.GetAsync($"/jobs/{id}");
                var text = await response.Content.ReadAsStringAsync();
                last = $"{(int)response.StatusCode} {text}";
                var status = response.IsSuccessStatusCode ? JsonDocument.Parse(text) : null;
                return Terminal.Contains(status?.RootElement.GetProperty("state").GetString()) ? status : null;
            }, $"job {id} finishing", timeout ?? TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(100));
            return finished.RootElement.Clone();
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; last status: {last}", e);
        }
    }

    public static async Task<JsonElement> GetStatusAsync(HttpClient client, string id)
    {
        var response = await client.GetAsync($"/jobs/{id}");
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
