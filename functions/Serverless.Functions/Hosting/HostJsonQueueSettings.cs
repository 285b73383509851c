using System.Globalization;
using System.Text.Json;
using Serverless.Core.Jobs;

namespace Serverless.Functions.Hosting;

/// <summary>
/// Seeds the Jobs queue settings from host.json's <c>extensions.queues</c>, the Functions host's own, so the
/// standalone listener, the in-process queue and the worker's poison accounting follow the one file; Jobs:* settings
/// still override them. Without host.json in the app folder JobsOptions' own defaults stand.
/// </summary>
public static class HostJsonQueueSettings
{
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "host.json");

    public static void Seed(JobsOptions options, string path)
    {
        if (!File.Exists(path))
        {
            return;
        }
        using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!document.RootElement.TryGetProperty("extensions", out var extensions) || !extensions.TryGetProperty("queues", out var queues))
        {
            return;
        }
        if (queues.TryGetProperty("batchSize", out var batchSize) && batchSize.TryGetInt32(out var batch))
        {
            options.BatchSize = batch;
        }
        if (queues.TryGetProperty("maxDequeueCount", out var maxDequeueCount) && maxDequeueCount.TryGetInt32(out var dequeues))
        {
            options.MaxDequeueCount = dequeues;
        }
        if (Duration(queues, "visibilityTimeout") is { } visibility)
        {
            options.VisibilityTimeoutSeconds = (int)visibility.TotalSeconds;
        }
        if (Duration(queues, "maxPollingInterval") is { } polling)
        {
            options.MaxPollingIntervalSeconds = polling.TotalSeconds;
        }
    }

    /// <summary>A TimeSpan as the Functions host writes it ("00:00:30"), or milliseconds.</summary>
    private static TimeSpan? Duration(JsonElement queues, string name) =>
        !queues.TryGetProperty(name, out var value) ? null
        : value.ValueKind == JsonValueKind.String && TimeSpan.TryParse(value.GetString(), CultureInfo.InvariantCulture, out var span) ? span
        : value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var milliseconds) ? TimeSpan.FromMilliseconds(milliseconds)
        : null;
}
