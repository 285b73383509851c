using System.Text;
using Serverless.FunctionsHost.Tests.StandIn;

namespace Serverless.FunctionsHost.Tests;

/// <summary>"Answered exactly as standalone answers it": status, body bytes and the headers a client reads.</summary>
public static class SameAnswer
{
    // Date and Server differ by nature; Transfer-Encoding/Content-Length are framing, covered by the body bytes.
    private static readonly string[] ComparedHeaders = ["Content-Type", "Inference-Header-Content-Length", "Allow", "Retry-After", "Location"];

    /// <param name="sameBody">False where the body holds timings or generated ids: status and headers only.</param>
    public static void Assert(HttpResponseMessage expected, byte[] expectedBody, ProxiedCall actual, bool sameBody = true)
    {
        Xunit.Assert.True(expected.StatusCode == actual.Response.StatusCode,
            $"status: standalone {(int)expected.StatusCode} {Printable(expectedBody)}\nworker ({actual.Function.Name}): {(int)actual.Response.StatusCode} {Printable(actual.Body)}");
        foreach (var header in ComparedHeaders)
        {
            Xunit.Assert.True(Header(expected, header) == Header(actual.Response, header),
                $"{header}: standalone '{Header(expected, header)}', worker '{Header(actual.Response, header)}'");
        }
        if (sameBody && !expectedBody.AsSpan().SequenceEqual(actual.Body))
        {
            Xunit.Assert.Fail($"bodies differ\nstandalone: {Printable(expectedBody)}\nworker:     {Printable(actual.Body)}");
        }
    }

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;

    private static string Printable(byte[] body) =>
        body.Length > 2000 ? Encoding.UTF8.GetString(body, 0, 2000) + $"... ({body.Length} bytes)" : Encoding.UTF8.GetString(body);
}
