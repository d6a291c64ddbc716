using OpenCkv.Crypto.Vrf;

namespace OpenCkv.Crypto.Tests;

internal static class VrfTrace
{
    public static VrfIntermediates Run(CryptoSuite suite, byte[] secretKey, byte[] alpha)
    {
        using VrfKeyPair key = suite.Vrf.ImportSecretKey(secretKey);
        return suite.Vrf.Engine.Trace(secretKey, key.PublicKey, alpha);
    }
}
