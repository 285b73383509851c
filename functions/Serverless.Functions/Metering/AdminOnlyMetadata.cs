namespace Serverless.Functions.Metering;

/// <summary>Endpoint metadata: only the admin key may call it (or, with <see cref="OnlyWhenKeysRequired"/>, anyone while Metering:RequireKey is off).</summary>
public sealed class AdminOnlyMetadata(bool onlyWhenKeysRequired = false)
{
    public static readonly AdminOnlyMetadata Always = new();

    public bool OnlyWhenKeysRequired { get; } = onlyWhenKeysRequired;
}
