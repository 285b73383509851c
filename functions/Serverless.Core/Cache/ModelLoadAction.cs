namespace Serverless.Core.Cache;

public enum ModelLoadAction
{
    Loaded,
    Reloaded,
    Unchanged,
}
