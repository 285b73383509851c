using Serverless.Functions.Hosting;

var mode = HostingModeDetection.FromStartup(args, Environment.GetEnvironmentVariable);
using var app = mode == HostingMode.FunctionsWorker ? ServerlessApplication.BuildWorker(args) : ServerlessApplication.BuildStandalone(args);
app.Run();
