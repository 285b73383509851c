using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Serverless.Benchmarks.Jobs;

/// <summary>One batch scoring job on the running app, submitted with POST /jobs and polled to the end.</summary>
public static class JobRun
{
    /// <returns>Rows per second over the job's own run time (planning done to last shard counted), and end to end.</returns>
    public static async Task<(double Scoring, double EndToEnd)> RowsPerSecondAsync(HttpClient client, string model, string input, int rows, int batchSize)
    {
        var started = Stopwatch.GetTimestamp();
        var response = await client.PostAsJsonAsync("/jobs", new { model, input, output = $"out/{Guid.NewGuid():N}", batch_size = batchSize });
        response.EnsureSuccessStatusCode();
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        while (true)
        {
            using var status = JsonDocument.Parse(await client.GetStringAsync($"/jobs/{id}"));
            var state = status.RootElement.GetProperty("state").GetString();
            if (state is "succeeded" or "partially_succeeded" or "failed")
            {
                var endToEnd = Stopwatch.GetElapsedTime(started).TotalSeconds;
                if (state != "succeeded" || status.RootElement.GetProperty("rows").GetProperty("scored").GetInt64() != rows)
                {
                    throw new InvalidOperationException($"job {id} ended {state}: {status.RootElement}");
                }
                return (rows / status.RootElement.GetProperty("duration_seconds").GetDouble(), rows / endToEnd);
            }
            await Task.Delay(10);
        }
    }
}
