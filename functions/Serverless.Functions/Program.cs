using Serverless.Functions.Hosting;

var app = ServerlessApplication.Build(args);
app.Run();
