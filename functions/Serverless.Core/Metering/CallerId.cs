namespace Serverless.Core.Metering;

/// <summary>
/// Caller ids end up in Table storage partition keys and CSV exports, so they are checked wherever they come in
/// (admin API, APIM header): letters, digits, '-', '_' and '.', at most 64, starting with a letter or digit.
/// </summary>
public static class CallerId
{
    public const int MaxLength = 64;
    public const string Anonymous = "anonymous";
    public const string Admin = "admin";

    /// <summary>Calls refused for a missing or wrong key: nobody to attribute them to.</summary>
    public const string Unauthenticated = "unauthenticated";

    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength || !char.IsAsciiLetterOrDigit(id[0]))
        {
            return false;
        }
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }
        return true;
    }

    public static bool IsReserved(string id) =>
        id is Anonymous or Admin or Unauthenticated;
}
