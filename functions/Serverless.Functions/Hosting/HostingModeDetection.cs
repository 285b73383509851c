namespace Serverless.Functions.Hosting;

/// <summary>
/// Reads the hosting mode off what the Functions host passes a worker it starts: <c>--functions-uri</c> (the .NET
/// worker maps it to Functions:Worker:HostEndpoint), the same setting as an environment variable, or the native
/// launcher's AppContext switch for placeholder starts. <c>FUNCTIONS_WORKER_RUNTIME</c> is no signal: it is an app
/// setting, present in Azure whether or not the host started this process.
/// </summary>
public static class HostingModeDetection
{
    public const string HostEndpointArgument = "--functions-uri";
    public const string HostEndpointVariable = "Functions__Worker__HostEndpoint";
    // Set by FunctionsNetHost when it loads the app in-process (azure-functions-dotnet-worker, host/src/FunctionsNetHost/AppLoader).
    public const string NativeHostSwitch = "AZURE_FUNCTIONS_NATIVE_HOST";

    public static HostingMode FromStartup(string[] args, Func<string, string?> environment) =>
        args.Any(a => a == HostEndpointArgument || a.StartsWith(HostEndpointArgument + "=", StringComparison.Ordinal))
        || !string.IsNullOrEmpty(environment(HostEndpointVariable))
        || AppContext.GetData(NativeHostSwitch) is not null
            ? HostingMode.FunctionsWorker
            : HostingMode.Standalone;
}
