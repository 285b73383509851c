namespace Serverless.Functions.Hosting;

/// <summary>Who runs the app: decided once in Program from the start-up arguments, then passed to whatever depends on it.</summary>
public enum HostingMode
{
    /// <summary>No Functions host: the app is its own ASP.NET Core server (dotnet run, tests, benchmarks, plain containers).</summary>
    Standalone,

    /// <summary>Started by the Functions host as a dotnet-isolated worker: HTTP is proxied to it, queue messages are invoked over gRPC.</summary>
    FunctionsWorker,
}
