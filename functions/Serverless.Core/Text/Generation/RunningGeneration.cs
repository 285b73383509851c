using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Serverless.Core.Cache;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Metering;
using Serverless.Core.Repository;

namespace Serverless.Core.Text.Generation;

/// <summary>
/// One admitted generation call while it streams: its choices run at once (one generator each, holding the slots the
/// call took), their events are merged in the order they are produced, and the call is billed exactly once: when the
/// last choice finished (before the enumeration ends, so the last event a client sees is sent after its usage is
/// durable), or on dispose with the tokens generated so far when the client went away (499).
/// </summary>
internal sealed class RunningGeneration : GenerationStream
{
    // How many events each choice may run ahead of the protocol reading them: bounded, so a client that reads slowly
    // holds the token loops back (the model's own channel blocks its loop in turn) instead of letting them generate,
    // and bill, tokens far ahead of what was delivered.
    private const int EventsAheadPerChoice = 8;

    private readonly MeteredTextCall _call;
    private readonly ModelLease _lease;
    private readonly IDisposable _slot;
    private readonly IGenerativeModel _model;
    private readonly IReadOnlyList<int>[] _prompts;
    private readonly GenerationRequest _request;
    private readonly GenerationProgress[] _progress;
    private readonly CancellationTokenSource _stop;
    private readonly CancellationToken _callerGone;
    private readonly long _started = Stopwatch.GetTimestamp();
    private Task[] _choices = [];
    private int _enumerated;
    private bool _ended;

    public RunningGeneration(MeteredTextCall call, ModelLease lease, IDisposable slot, IGenerativeModel model, IReadOnlyList<int>[] prompts,
        GenerationRequest request, long promptTokens, CancellationToken callerGone)
    {
        _call = call;
        _lease = lease;
        _slot = slot;
        _model = model;
        _prompts = prompts;
        _request = request;
        PromptTokens = promptTokens;
        _callerGone = callerGone;
        // The caller's going stops every choice's loop at once, even while the protocol is blocked writing to it.
        _stop = CancellationTokenSource.CreateLinkedTokenSource(callerGone);
        _progress = Enumerable.Range(0, prompts.Length * request.N).Select(_ => new GenerationProgress()).ToArray();
    }

    public override ModelKey Key => _lease.Model.Key;

    public override long PromptTokens { get; }

    public override TokenUsage Usage => new(PromptTokens, _progress.Sum(p => p.CompletionTokens));

    public override IAsyncEnumerable<ChoiceEvent> Events =>
        Interlocked.Exchange(ref _enumerated, 1) == 0 ? StreamAsync() : throw new InvalidOperationException("a generation's events are read once");

    private async IAsyncEnumerable<ChoiceEvent> StreamAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var consumerGone = cancellationToken.Register(_stop.Cancel);
        var events = Channel.CreateBounded<ChoiceEvent>(new BoundedChannelOptions(EventsAheadPerChoice * _progress.Length) { SingleReader = true });
        _choices = Enumerable.Range(0, _progress.Length).Select(index => RunChoiceAsync(index, events.Writer)).ToArray();
        // A cancelled choice ends the stream with the cancellation, never as if every choice had finished.
        _ = Task.WhenAll(_choices).ContinueWith(all => events.Writer.TryComplete(all.IsCanceled ? new OperationCanceledException(_stop.Token) : all.Exception?.InnerException),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await foreach (var item in events.Reader.ReadAllAsync(CancellationToken.None))
        {
            yield return item;
        }
        // Every choice finished: bill before the enumeration ends, so what follows (a usage chunk, [DONE]) is sent
        // only once the record is durable. A failed record throws here: the client gets an error, not a free answer.
        _ended = true;
        await _call.BillAsync(Key, Usage, Stopwatch.GetElapsedTime(_started), ExecutionProvider.Cpu.WireName(), _prompts.Length);
    }

    private async Task RunChoiceAsync(int index, ChannelWriter<ChoiceEvent> events)
    {
        // Off the reader's thread: a generator's steps block while they compute.
        await Task.Yield();
        var options = _request.Options;
        if (options.Seed is { } seed && _request.N > 1)
        {
            // n samples of one prompt must differ, and still repeat with the same seed.
            options = options with { Seed = unchecked(seed + index % _request.N) };
        }
        await foreach (var item in _model.GenerateAsync(_prompts[index / _request.N], options, _progress[index], _stop.Token))
        {
            // The consumer's going (dispose) cancels _stop, which ends a write waiting for room.
            await events.WriteAsync(new ChoiceEvent(index, item), _stop.Token);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_ended)
        {
            _ended = true;
            // The client went away (or the protocol gave up) before the end: stop, then bill what was generated.
            _stop.Cancel();
            Exception? failure = null;
            try
            {
                await Task.WhenAll(_choices);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e)
            {
                failure = e;
            }
            if (failure is not null && failure is not ServerlessException { StatusCode: ServerlessException.ClientClosedRequest })
            {
                await _call.FailAsync(failure, Key, Usage, _callerGone);
            }
            else
            {
                try
                {
                    await _call.BillAsync(Key, Usage, Stopwatch.GetElapsedTime(_started), ExecutionProvider.Cpu.WireName(), _prompts.Length, ServerlessException.ClientClosedRequest);
                }
                catch (InvalidOperationException)
                {
                    // Already billed or recorded (a failed bill at the end): its one record exists.
                }
            }
        }
        _stop.Dispose();
        _slot.Dispose();
        _lease.Dispose();
        _call.Dispose();
    }
}
