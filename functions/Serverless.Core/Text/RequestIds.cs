namespace Serverless.Core.Text;

/// <summary>
/// The request id a text call's usage record keeps: OpenAI's <c>user</c> (the caller's end-user tag), so a caller can
/// find its end user's calls in /usage; null gives the record its own id. The record caps its length.
/// </summary>
internal static class RequestIds
{
    public static string? Of(string? user) => string.IsNullOrWhiteSpace(user) ? null : user;
}
