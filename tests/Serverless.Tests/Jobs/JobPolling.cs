using System.Text.Json;

namespace Serverless.Tests.Jobs;

/// <summary>Polls GET /jobs/{id} until the job is finished, with a deadline instead of fixed sleeps.</summary>
public static class JobPolling
{
    private static readonly string[] Terminal = ["succeeded", "partially_succeeded", "failed"];

    public static async Task<JsonElement> WaitForFinishAsync(HttpClient client, string id, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            var response = await client.GetAsync($"/jobs/{id}");
            var text = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode)
            {
                var status = JsonDocument.Parse(text).RootElement.Clone();
                if (Terminal.Contains(status.GetProperty("state").GetString()))
                {
                    return status;
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"job {id} did not finish in time; last status: {(int)response.StatusCode} {text}");
            }
            await Task.Delay(100);
        }
    }

    public static async Task<JsonElement> GetStatusAsync(HttpClient client, string id)
    {
        var response = await client.GetAsync($"/jobs/{id}");
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
