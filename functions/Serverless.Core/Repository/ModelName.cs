using Serverless.Core.Errors;

namespace Serverless.Core.Repository;

/// <summary>
/// Model names come from URLs and job messages and become folder and blob names, so they are checked before
/// any storage is touched: a name can never reach outside the repository.
/// </summary>
public static class ModelName
{
    public const int MaxLength = 128;

    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || name[0] == '.')
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }
        return true;
    }

    public static void EnsureValid(string name)
    {
        if (!IsValid(name))
        {
            throw new ModelNotFoundException($"Request for unknown model: '{name}' is not found: names use letters, digits, '-', '_' and '.', and do not start with '.'");
        }
    }

    /// <summary>Parses a version from a URL segment by the repository's rule: positive integers without leading zeros.</summary>
    public static long ParseVersion(string model, string version)
    {
        if (!ModelRepositoryLayout.TryParseVersion(version, out var parsed))
        {
            throw new ModelNotFoundException($"Request for unknown model: '{model}' version '{version}' is not found: versions are positive integers without leading zeros");
        }
        return parsed;
    }
}
