using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Serverless.LoadGenerator;

/// <summary>
/// The floor for HTTP and cold-start rows: a bare ASP.NET Core minimal API that reads the whole body, parses it with
/// <see cref="JsonDocument"/> and answers a constant, on any POST path (so the load is the same request the server
/// gets). Published with the same settings as the app, so start-up compares like with like.
/// </summary>
public static class BareApp
{
    private static readonly byte[] Answer = """{"outputs":[]}"""u8.ToArray();

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapPost("/{**path}", ParseAndAnswerAsync);
        await app.RunAsync();
        return 0;
    }

    private static async Task ParseAndAnswerAsync(HttpContext context)
    {
        using (var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                context.Response.StatusCode = 400;
            }
        }
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(Answer, context.RequestAborted);
    }
}
