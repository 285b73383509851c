namespace Serverless.SampleModels.Training;

/// <summary>
/// The last layer's activation. Each pairs with its canonical loss (squared error, binary and categorical
/// cross-entropy), whose gradient with respect to the pre-activation is simply prediction minus target.
/// </summary>
internal enum OutputActivation
{
    Identity,
    Sigmoid,
    Softmax,
}
