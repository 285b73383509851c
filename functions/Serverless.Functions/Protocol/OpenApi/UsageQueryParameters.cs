namespace Serverless.Functions.Protocol.OpenApi;

/// <summary>The query parameters both usage routes read, as <see cref="ApiOperationAttribute.Query"/> declares them.</summary>
public static class UsageQueryParameters
{
    public const string From = "from: yyyy-MM-dd (midnight UTC) or an instant; default: the start of this month (UTC)";
    public const string To = "to: yyyy-MM-dd (that whole day included) or an instant; default: the start of next month";
    public const string Model = "model: only this model";
    public const string Caller = "caller: one caller's usage (the admin key only; a caller's key reads its own)";
    public const string GroupBy = "group_by: day or model";
}
