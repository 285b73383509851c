using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Serverless.Tests.Fixtures;

/// <summary>Keeps every log entry the app writes (at the host's levels), for tests that check what was, or was not, logged.</summary>
public sealed class LogCollector : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyCollection<string> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCollector collector, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            collector._entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
