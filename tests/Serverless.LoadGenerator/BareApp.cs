using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using System.Text.Json;
using csFastFloat;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Serverless.LoadGenerator;

/// <summary>
/// The floor for HTTP and cold-start rows: a bare ASP.NET Core minimal API that reads the whole body, parses its JSON
/// with every number read as a float by csFastFloat, as the server reads them (and copies binary tensor data out) and answers a constant, on any POST path (so the load is the same request the server
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
        var model = builder.Configuration["model"] is { Length: > 0 } path ? new BareModel(path) : null;
        var app = builder.Build();
        app.MapPost("/{**path}", (HttpContext context) => ParseAndAnswerAsync(context, model));
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

    private static async Task ParseAndAnswerAsync(HttpContext context, BareModel? model)
    {
        var headerLength = context.Request.Headers["Inference-Header-Content-Length"] is [{ } text] ? int.Parse(text, CultureInfo.InvariantCulture) : (int?)null;
        var reader = context.Request.BodyReader;
        ReadResult read;
        while (true)
        {
            read = await reader.ReadAsync(context.RequestAborted);
            if (read.IsCompleted)
            {
                break;
            }
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
        var body = read.Buffer;
        var values = model is null ? null : ArrayPool<float>.Shared.Rent((int)Math.Min(body.Length, 1 << 20));
        var valid = ReadTensors(body, headerLength, values, out var count);
        reader.AdvanceTo(body.End);
        if (values is not null)
        {
            if (valid && count > 0)
            {
                model!.Run(values, count);
            }
            ArrayPool<float>.Shared.Return(values);
        }
        context.Response.StatusCode = valid ? 200 : 400;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(Answer, context.RequestAborted);
    }

    /// <summary>
    /// What any v2 server must do with a body before it can run a model: the JSON read to its end with every number
    /// parsed as a float, and the binary tensor data (after an <c>Inference-Header-Content-Length</c> header) copied
    /// out, as into a batch tensor.
    /// </summary>
    /// <param name="values">Where the JSON's numbers go, as many as fit (<paramref name="count"/>); null: parsed only.</param>
    private static bool ReadTensors(ReadOnlySequence<byte> body, int? headerLength, float[]? values, out int count)
    {
        var json = new Utf8JsonReader(headerLength is { } length ? body.Slice(0, length) : body);
        var sum = 0f;
        count = 0;
        try
        {
            // Only a tensor's flat "data" array feeds the model; "shape" is numbers too.
            var afterData = false;
            var inData = false;
            while (json.Read())
            {
                switch (json.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        afterData = json.ValueTextEquals("data"u8);
                        break;
                    case JsonTokenType.StartArray:
                        inData = afterData;
                        break;
                    case JsonTokenType.EndArray:
                        inData = false;
                        break;
                    case JsonTokenType.Number:
                        // Parsed as fast as a served library parses numbers (the server reads tensor data this way too),
                        // so the floor stays a floor.
                        var value = !json.HasValueSequence && FastFloatParser.TryParseFloat(json.ValueSpan, out var consumed, out var parsed) && consumed == json.ValueSpan.Length
                            ? parsed
                            : json.GetSingle();
                        sum += value;
                        if (inData && values is not null && count < values.Length)
                        {
                            values[count++] = value;
                        }
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }
        if (headerLength is { } binaryStart)
        {
            var data = body.Slice(binaryStart);
            var floats = ArrayPool<float>.Shared.Rent((int)((data.Length + sizeof(float) - 1) / sizeof(float)));
            data.CopyTo(MemoryMarshal.AsBytes(floats.AsSpan()));
            ArrayPool<float>.Shared.Return(floats);
        }
        return !float.IsNaN(sum);
    }
}
