using Serverless.Functions.Hosting;

namespace Serverless.Tests.Hosting;

public sealed class HostingModeDetectionTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void FromStartup_HostArguments_IsFunctionsWorker()
    {
        // What the Functions host passes a worker it starts (azure-functions-host RpcWorkerContext.GetFormattedArguments).
        string[] args = ["--host", "127.0.0.1", "--port", "5000", "--workerId", "w", "--requestId", "r", "--grpcMaxMessageLength", "2147483647",
            "--functions-uri", "http://127.0.0.1:5000/", "--functions-worker-id", "w", "--functions-request-id", "r", "--functions-grpc-max-message-length", "2147483647"];

        Assert.Equal(HostingMode.FunctionsWorker, HostingModeDetection.FromStartup(args, NoEnvironment));
    }

    [Fact]
    public void FromStartup_HostEndpointOnlyInTheEnvironment_IsFunctionsWorker() =>
        Assert.Equal(HostingMode.FunctionsWorker,
            HostingModeDetection.FromStartup([], name => name == "Functions__Worker__HostEndpoint" ? "http://127.0.0.1:5000/" : null));

    [Theory]
    [InlineData]
    [InlineData("--urls=http://127.0.0.1:0", "--Models:Repository=/models")]
    [InlineData("--functions-urix", "x")]
    public void FromStartup_NoHostSignal_IsStandalone(params string[] args) =>
        Assert.Equal(HostingMode.Standalone, HostingModeDetection.FromStartup(args, NoEnvironment));

    [Fact]
    public void FromStartup_WorkerRuntimeSettingAlone_IsStandalone() =>
        // An app setting present in Azure whether or not the host started the process: no signal.
        Assert.Equal(HostingMode.Standalone, HostingModeDetection.FromStartup([], name => name == "FUNCTIONS_WORKER_RUNTIME" ? "dotnet-isolated" : null));
}
