using Serverless.Functions.Hosting;

var phases = StartupPhases.MainEntered();
var mode = HostingModeDetection.FromStartup(args, Environment.GetEnvironmentVariable);
using var app = mode == HostingMode.FunctionsWorker ? ServerlessApplication.BuildWorker(args) : ServerlessApplication.BuildStandalone(args);
phases.HostBuilt();
phases.ReportWhenStarted(app.Services);
app.Run();
