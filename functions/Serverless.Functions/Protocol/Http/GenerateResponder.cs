using System.Globalization;
using System.Text;
using System.Text.Json;
using Serverless.Core.Text.Generation;
using Serverless.Functions.Metering;
using Serverless.Functions.Protocol.OpenAi;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// Answers Triton's generate extension: <c>/generate</c> with one <c>{"model_name", "model_version", "text_output"}</c>
/// object, <c>/generate_stream</c> with one such Server-Sent Event per piece of text and no <c>[DONE]</c>. The last
/// answer also carries <c>finish_reason</c>, <c>num_input_tokens</c> and <c>num_output_tokens</c>, the extra outputs
/// Triton's vLLM backend names so. A failure after the first event is a <c>data: {"error": "..."}</c> event, as
/// Triton's documentation says clients must expect; before it, a JSON error with its status.
/// </summary>
public sealed class GenerateResponder(ILogger<GenerateResponder> logger)
{
    public async Task AnswerAsync(HttpContext context, GenerationCall call, ITextGeneration generation)
    {
        var ct = context.RequestAborted;
        await using var stream = await generation.StartAsync(context.GetCaller(), call.Request, ct);
        var name = stream.Key.Name;
        var version = stream.Key.Version.ToString(CultureInfo.InvariantCulture);
        if (!call.Stream)
        {
            var text = new StringBuilder();
            FinishReason? reason = null;
            await foreach (var (_, e) in stream.Events.WithCancellation(ct))
            {
                switch (e)
                {
                    case GeneratedText piece:
                        text.Append(piece.Text);
                        break;
                    case GenerationFinished finished:
                        reason = finished.Reason;
                        break;
                }
            }
            context.Response.ContentType = "application/json; charset=utf-8";
            using (var json = new Utf8JsonWriter(context.Response.BodyWriter, OpenAiJson.WriterOptions))
            {
                Write(json, name, version, text.ToString(), reason, stream);
            }
            await context.Response.BodyWriter.FlushAsync(ct);
            return;
        }
        using var events = ServerSentEventWriter.Start(context);
        try
        {
            await foreach (var (_, e) in stream.Events.WithCancellation(ct))
            {
                switch (e)
                {
                    case GeneratedText { Text.Length: > 0 } piece:
                        await events.WriteAsync(json => Write(json, name, version, piece.Text, null, null), ct);
                        break;
                    case GenerationFinished finished:
                        await events.WriteAsync(json => Write(json, name, version, "", finished.Reason, stream), ct);
                        break;
                }
            }
        }
        catch (Exception e) when (StreamFailure.Of(e, context, logger) is { } failure)
        {
            await events.WriteAsync(json =>
            {
                json.WriteStartObject();
                json.WriteString("error", failure.Message);
                json.WriteEndObject();
            }, ct);
        }
    }

    /// <param name="reason">Set on the last answer only, with <paramref name="usage"/>'s counts.</param>
    private static void Write(Utf8JsonWriter json, string name, string version, string text, FinishReason? reason, GenerationStream? usage)
    {
        json.WriteStartObject();
        json.WriteString("model_name", name);
        json.WriteString("model_version", version);
        json.WriteString("text_output", text);
        if (reason is { } r && usage is not null)
        {
            json.WriteString("finish_reason", CompletionResponseWriter.WireName(r));
            json.WriteNumber("num_input_tokens", usage.Usage.PromptTokens);
            json.WriteNumber("num_output_tokens", usage.Usage.CompletionTokens);
        }
        json.WriteEndObject();
    }
}
