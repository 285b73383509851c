using System.Diagnostics;
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
        var mainEntered = Stopwatch.GetTimestamp();
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapPost("/{**path}", ParseAndAnswerAsync);
        app.Lifetime.ApplicationStarted.Register(() => ReportStarted(mainEntered));
        await app.RunAsync();
        return 0;
    }

    /// <summary>
    /// The app's start-up line (Serverless.Functions' Hosting/StartupPhases), same wording, for the benchmark's
    /// runtime-start row. The process's start time is read only after listening, as the app does.
    /// </summary>
    private static void ReportStarted(long mainEntered)
    {
        var sinceMain = Stopwatch.GetElapsedTime(mainEntered);
        using var self = Process.GetCurrentProcess();
        var runtimeStart = DateTime.Now - sinceMain - self.StartTime;
        Console.WriteLine($"Started {(runtimeStart + sinceMain).TotalMilliseconds:F0} ms after the process: runtime start {runtimeStart.TotalMilliseconds:F0} ms");
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
