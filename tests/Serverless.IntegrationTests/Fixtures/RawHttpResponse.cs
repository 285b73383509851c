using System.Text.Json;

namespace Serverless.Tests.Fixtures;

/// <summary>A response read by <see cref="RawHttpConnection"/>.</summary>
public sealed record RawHttpResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>The <c>error</c> of a JSON error body.</summary>
    public string Error => JsonDocument.Parse(Body).RootElement.GetProperty("error").GetString()!;
}
