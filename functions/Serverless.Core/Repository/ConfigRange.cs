using System.Globalization;
using Serverless.Core.Errors;

namespace Serverless.Core.Repository;

/// <summary>The one check of a config.json number against its range, with the message that names the field.</summary>
internal static class ConfigRange
{
    public static void Check(string model, string field, long? value, long min, long max)
    {
        if (value is { } v && (v < min || v > max))
        {
            throw new ModelLoadException(string.Create(CultureInfo.InvariantCulture,
                $"model '{model}': config.json {field} is {v}; it must be between {min} and {max}"));
        }
    }
}
