using System.Text.Json.Nodes;
using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests.Host;

public sealed class HostJsonTests
{
    private static readonly JsonNode HostJson = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, "host.json")))!;

    [Fact]
    public void HostJson_Version_Is20() => Assert.Equal("2.0", (string)HostJson["version"]!);

    [Fact]
    public void HostJson_HttpRoutePrefix_IsEmptySoPathsMatchTheProtocol() =>
        Assert.Equal("", (string)HostJson["extensions"]!["http"]!["routePrefix"]!);

    [Fact]
    public void HostJson_NoCustomHandlerOrBundle_TheBuildDescribesTheWorkerAndItsExtensions()
    {
        // A dotnet-isolated app is described by the build's worker.config.json, and its binding extensions are built
        // into .azurefunctions/ (extensions.json): a customHandler section or an extension bundle would contradict them.
        Assert.Null(HostJson["customHandler"]);
        Assert.Null(HostJson["extensionBundle"]);
    }

    [Fact]
    public void HostJson_Queues_UseStaticConcurrencyAndPassMessagesAsSent()
    {
        var queues = HostJson["extensions"]!["queues"]!;

        Assert.Equal(4, (int)queues["batchSize"]!);
        Assert.Equal(2, (int)queues["newBatchThreshold"]!);
        Assert.Equal(5, (int)queues["maxDequeueCount"]!);
        // "none": the extension hands the function the message text as sent, and the app takes base64 and plain JSON
        // alike (JobMessageBody), as the standalone listener does. With "base64" the extension itself refuses a plain
        // JSON message before the function runs: poisoned with no job record.
        Assert.Equal("none", (string)queues["messageEncoding"]!);
        // Dynamic concurrency would ignore batchSize/newBatchThreshold (and the queue scaler's target assumes them).
        Assert.False((bool)HostJson["concurrency"]!["dynamicConcurrencyEnabled"]!);
    }

    [Fact]
    public void HostJson_Sampling_NeverDropsRequests() =>
        Assert.Contains("Request", (string)HostJson["logging"]!["applicationInsights"]!["samplingSettings"]!["excludedTypes"]!);

    [Fact]
    public void HostJson_FunctionTimeout_IsOneHourForLongShards() =>
        Assert.Equal(TimeSpan.FromHours(1), TimeSpan.Parse((string)HostJson["functionTimeout"]!, System.Globalization.CultureInfo.InvariantCulture));
}
