namespace Serverless.SampleModels.Training;

/// <summary>Normal draws from a seeded <see cref="Random"/>, which .NET keeps reproducible for a given seed.</summary>
internal static class GaussianRandom
{
    extension(Random random)
    {
        // Box-Muller; 1 - NextDouble() keeps the logarithm away from zero.
        public float NextGaussian(double mean = 0, double standardDeviation = 1) =>
            (float)(mean + standardDeviation
                * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()))
                * Math.Cos(2 * Math.PI * random.NextDouble()));
    }
}
