using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using OpenCkv.Crypto.Native;

namespace OpenCkv.Crypto.Hashing;

/// <summary>
/// SHA-256 through libcrypto's low-level <c>SHA256_Init/Update/Final</c> on a context kept on the stack: three
/// calls without GC transitions, so a 66-byte node hash costs little more than its two compression-function runs.
/// </summary>
internal sealed unsafe class NativeSha256Engine : Sha256Engine
{
    private readonly LibCrypto _lib;

    public NativeSha256Engine(LibCrypto lib) => _lib = lib;

    public override CryptoPath Path => CryptoPath.Native;

    public override void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        CheckDestination(destination);
        Sha256Context ctx = default;
        byte* state = (byte*)Unsafe.AsPointer(ref ctx);
        fixed (byte* input = data)
        fixed (byte* output = destination)
        {
            _lib.Sha256Init(state);
            Update(state, input, data.Length);
            _lib.Sha256Final(output, state);
        }
    }

    public override FixedKeyHmac CreateHmac(ReadOnlySpan<byte> key) => new NativeHmac(this, key);

    /// <summary>
    /// Short inputs (tree nodes, commitments) skip the GC transition; long ones do not, so a large hash never keeps
    /// the runtime from suspending this thread for a collection.
    /// </summary>
    private void Update(byte* state, byte* input, int length)
    {
        if (length <= LibCrypto.ShortInputLimit)
        {
            _lib.Sha256Update(state, input, (nuint)length);
        }
        else
        {
            _lib.Sha256UpdateLong(state, input, (nuint)length);
        }
    }

    /// <summary>
    /// RFC 2104: HMAC(K, m) = H((K' ^ opad) || H((K' ^ ipad) || m)). The two padded key blocks are absorbed once
    /// here; each computation copies the saved contexts and continues from them.
    /// </summary>
    private sealed class NativeHmac : FixedKeyHmac
    {
        private const int BlockSize = 64;
        private readonly LibCrypto _lib;
        private readonly NativeSha256Engine _engine;
        private readonly Sha256Context _inner;
        private readonly Sha256Context _outer;

        public NativeHmac(NativeSha256Engine engine, ReadOnlySpan<byte> key)
        {
            _lib = engine._lib;
            _engine = engine;
            Span<byte> block = stackalloc byte[BlockSize];
            block.Clear();
            if (key.Length > BlockSize)
            {
                engine.Hash(key, block);
            }
            else
            {
                key.CopyTo(block);
            }

            Span<byte> padded = stackalloc byte[BlockSize];
            _inner = Absorb(block, 0x36, padded);
            _outer = Absorb(block, 0x5c, padded);
            CryptographicOperations.ZeroMemory(block);
            CryptographicOperations.ZeroMemory(padded);
        }

        private Sha256Context Absorb(ReadOnlySpan<byte> block, byte pad, Span<byte> padded)
        {
            for (int i = 0; i < BlockSize; i++)
            {
                padded[i] = (byte)(block[i] ^ pad);
            }

            Sha256Context ctx = default;
            byte* state = (byte*)Unsafe.AsPointer(ref ctx);
            fixed (byte* input = padded)
            {
                _lib.Sha256Init(state);
                _lib.Sha256Update(state, input, BlockSize);
            }

            return ctx;
        }

        public override void Compute(ReadOnlySpan<byte> data, Span<byte> destination)
        {
            CheckDestination(destination);
            Sha256Context ctx = _inner;
            byte* state = (byte*)Unsafe.AsPointer(ref ctx);
            byte* innerDigest = stackalloc byte[HashSize];
            fixed (byte* input = data)
            fixed (byte* output = destination)
            {
                _engine.Update(state, input, data.Length);
                _lib.Sha256Final(innerDigest, state);
                ctx = _outer;
                _lib.Sha256Update(state, innerDigest, HashSize);
                _lib.Sha256Final(output, state);
            }
        }
    }

    /// <summary>Storage for OpenSSL's <c>SHA256_CTX</c> (112 bytes, 4-byte aligned).</summary>
    [InlineArray(LibCrypto.Sha256ContextSize / sizeof(uint))]
    private struct Sha256Context
    {
        private uint _word;
    }
}
