namespace Serverless.Functions.Hosting;

/// <summary>Builds the app; Program uses it as-is, tests pass their own arguments (repository, port, data folder).</summary>
public static class ServerlessApplication
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServerless();
        var app = builder.Build();
        app.MapServerless();
        return app;
    }
}
