using System.Threading.Channels;
using Microsoft.ML.OnnxRuntimeGenAI;
using Serverless.Core.Errors;
using Serverless.Core.Text;
using Serverless.Core.Text.Generation;

namespace Serverless.Core.Infrastructure.GenAI;

/// <summary>
/// One generation's token loop, run on its own thread because every GenAI call blocks: prefill, then one token per
/// step, each decoded, checked for stop strings, counted and written to the channel the caller reads. Cancelling
/// stops it before the next step and interrupts a running step (a long prefill) through GenAI's terminate_session.
/// </summary>
internal sealed class GenAiGeneration(Model model, Tokenizer tokenizer, GenAiFolder folder, int[] prompt, GenerationOptions options, int maxLength,
    GenerationProgress progress, ChannelWriter<GenerationEvent> events)
{
    public void Run(CancellationToken cancellationToken)
    {
        try
        {
            Generate(cancellationToken);
        }
        catch (OnnxRuntimeGenAIException) when (cancellationToken.IsCancellationRequested)
        {
            // The terminated session's step failed: that is the cancellation arriving mid-step.
            throw new OperationCanceledException(cancellationToken);
        }
        catch (OnnxRuntimeGenAIException e)
        {
            throw new ModelRunException($"generation failed: {e.Message}", e);
        }
        finally
        {
            events.TryComplete();
        }
    }

    private void Generate(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var parameters = new GeneratorParams(model);
        SearchOptions.Apply(parameters, options, maxLength);
        using var generator = new Generator(model, parameters);
        using var stream = tokenizer.CreateStream();
        // Declared after the generator, so disposed before it: Dispose waits for a callback already running.
        using var interrupt = cancellationToken.Register(() => generator.SetRuntimeOption("terminate_session", "1"));
        generator.AppendTokens(prompt);
        var stops = new StopStringMatcher(options.Stop);
        var generated = 0;
        var reason = FinishReason.Length;
        while (generated < maxLength - prompt.Length && !generator.IsDone())
        {
            cancellationToken.ThrowIfCancellationRequested();
            generator.GenerateNextToken();
            var token = generator.GetNextTokens()[0];
            generated++;
            progress.AddCompletionTokens(1);
            if (folder.EosTokenIds.Contains(token))
            {
                // The end-of-sequence token is generated (and billed) but is not text.
                events.TryWrite(new GeneratedText(stops.Flush(), 1));
                reason = FinishReason.Stop;
                break;
            }

            var (released, stopped) = stops.Append(stream.Decode(token));
            events.TryWrite(new GeneratedText(released, 1));
            if (stopped)
            {
                reason = FinishReason.Stop;
                break;
            }
        }

        if (reason == FinishReason.Length && stops.Flush() is { Length: > 0 } rest)
        {
            events.TryWrite(new GeneratedText(rest, 0));
        }

        events.TryWrite(new GenerationFinished(reason, new TokenUsage(prompt.Length, generated)));
    }
}
