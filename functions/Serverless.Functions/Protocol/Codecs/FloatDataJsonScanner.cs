using csFastFloat;
using Serverless.Core.Inference.Elements;

namespace Serverless.Functions.Protocol.Codecs;

/// <summary>
/// The quick way through a floating-point tensor's JSON <c>data</c> as most clients send it: arrays (flat or nested) of
/// plain JSON numbers and nothing else. Each number is parsed with csFastFloat (the Eisel-Lemire algorithm, exact
/// like the runtime's parser) and narrowed as <see cref="ITensorElement{T}.TryConvert"/> narrows it, so the
/// elements are the same bits the general path writes.
/// </summary>
/// <remarks>
/// Why by hand: <see cref="System.Text.Json.Utf8JsonReader"/> scans each number once as a token and
/// <c>TryGetDouble</c> scans it again into the runtime's decimal buffer; on a 256-float row of 17-digit numbers that
/// was 15 us of the request, against 8 with this (issue 26: JSON decoding was the largest managed part of a batched
/// row). No served library reads a JSON number array straight into a typed span. The grammar checked here is a strict
/// subset of JSON (brackets, commas, the four whitespace bytes, RFC 8259 numbers); anything else (the strings "NaN"
/// and "Infinity", comments, a bare scalar, a number out of range, a count that does not match) returns false, and
/// the caller takes the general path, which accepts what it accepts and names what it refuses, as before.
/// </remarks>
internal static class FloatDataJsonScanner
{
    /// <summary>
    /// Fills <paramref name="elements"/> from <paramref name="json"/> when it is one array of exactly that many finite
    /// numbers in range; false (elements partly written) when it is anything else.
    /// </summary>
    public static bool TryRead<TElement, T>(ReadOnlySpan<byte> json, Span<T> elements)
        where TElement : ITensorElement<T> where T : unmanaged
    {
        var depth = 0;
        var count = 0;
        // After '[' or ',' a value must come; after a value or ']', a ',' or ']'.
        var expectValue = true;
        // Just after '[': the array may close at once.
        var justOpened = false;
        var i = 0;
        while (i < json.Length)
        {
            var b = json[i];
            switch (b)
            {
                case (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r':
                    i++;
                    continue;
                case (byte)'[':
                    // At depth 0 a value is expected only at the start: the outermost array's close returns.
                    if (!expectValue)
                    {
                        return false;
                    }
                    depth++;
                    justOpened = true;
                    i++;
                    continue;
                case (byte)']':
                    if (depth == 0 || (expectValue && !justOpened))
                    {
                        return false;
                    }
                    depth--;
                    expectValue = false;
                    justOpened = false;
                    i++;
                    if (depth == 0)
                    {
                        return SkipWhitespace(json, i) == json.Length && count == elements.Length;
                    }
                    continue;
                case (byte)',':
                    if (expectValue || depth == 0)
                    {
                        return false;
                    }
                    expectValue = true;
                    justOpened = false;
                    i++;
                    continue;
                default:
                    var length = NumberLength(json[i..]);
                    if (!expectValue || depth == 0 || length == 0 || count >= elements.Length
                        || !FastDoubleParser.TryParseDouble(json.Slice(i, length), out var consumed, out var number)
                        || consumed != length || !double.IsFinite(number) || !TElement.TryConvert(number, out elements[count]))
                    {
                        return false;
                    }
                    count++;
                    expectValue = false;
                    justOpened = false;
                    i += length;
                    continue;
            }
        }
        // Ran out before the outermost array closed.
        return false;
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && json[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            i++;
        }
        return i;
    }

    /// <summary>The length of the JSON number (RFC 8259: <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>) at the start of <paramref name="text"/>; 0 when there is none.</summary>
    private static int NumberLength(ReadOnlySpan<byte> text)
    {
        var i = 0;
        if (i < text.Length && text[i] == '-')
        {
            i++;
        }
        if (i >= text.Length)
        {
            return 0;
        }
        if (text[i] == '0')
        {
            i++;
        }
        else if (text[i] is >= (byte)'1' and <= (byte)'9')
        {
            i = SkipDigits(text, i + 1);
        }
        else
        {
            return 0;
        }
        if (i < text.Length && text[i] == '.')
        {
            var fraction = i + 1;
            i = SkipDigits(text, fraction);
            if (i == fraction)
            {
                return 0;
            }
        }
        if (i < text.Length && text[i] is (byte)'e' or (byte)'E')
        {
            i++;
            if (i < text.Length && text[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }
            var exponent = i;
            i = SkipDigits(text, exponent);
            if (i == exponent)
            {
                return 0;
            }
        }
        return i;
    }

    private static int SkipDigits(ReadOnlySpan<byte> text, int i)
    {
        while (i < text.Length && text[i] is >= (byte)'0' and <= (byte)'9')
        {
            i++;
        }
        return i;
    }
}
