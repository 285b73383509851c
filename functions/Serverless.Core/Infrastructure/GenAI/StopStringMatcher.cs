namespace Serverless.Core.Infrastructure.GenAI;

/// <summary>
/// Finds stop strings in generated text as it streams in, across token boundaries, and never lets one out: text that
/// could still be the start of a stop string is held back until the next token decides it.
/// </summary>
internal sealed class StopStringMatcher(IReadOnlyList<string> stops)
{
    private readonly string[] _stops = stops.Where(s => s.Length > 0).ToArray();
    private string _pending = "";

    /// <summary>Adds decoded text.</summary>
    /// <returns>Text that is safe to emit, and whether a stop string completed (then nothing after it is ever emitted).</returns>
    public (string Released, bool Stopped) Append(string text)
    {
        if (_stops.Length == 0)
        {
            return (text, false);
        }

        _pending += text;
        var first = -1;
        foreach (var stop in _stops)
        {
            var at = _pending.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first))
            {
                first = at;
            }
        }

        if (first >= 0)
        {
            var before = _pending[..first];
            _pending = "";
            return (before, true);
        }

        var held = HeldLength();
        var released = _pending[..^held];
        _pending = _pending[^held..];
        return (released, false);
    }

    /// <summary>The held-back text, once the generation ended without completing a stop string.</summary>
    public string Flush()
    {
        var rest = _pending;
        _pending = "";
        return rest;
    }

    // The longest end of the pending text that begins some stop string.
    private int HeldLength()
    {
        var longest = 0;
        foreach (var stop in _stops)
        {
            for (var length = Math.Min(stop.Length - 1, _pending.Length); length > longest; length--)
            {
                if (_pending.AsSpan(_pending.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    longest = length;
                    break;
                }
            }
        }

        return longest;
    }
}
