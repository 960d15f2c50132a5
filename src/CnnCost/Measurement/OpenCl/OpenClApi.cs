using System.Runtime.InteropServices;

namespace CnnCost.Measurement.OpenCl;

/// <summary>
/// The OpenCL 1.2 entry points CnnCost uses, bound at run time from the ICD loader (<c>libOpenCL.so.1</c> by
/// default) so that a machine without OpenCL gets a clear reason, never a crash.
/// </summary>
internal sealed unsafe class OpenClApi
{
    public const int Success = 0;
    public const ulong DeviceTypeAll = 0xFFFFFFFF;
    public const uint DeviceName = 0x102B;
    public const uint DeviceMaxComputeUnits = 0x1002;
    public const uint DeviceGlobalMemCacheSize = 0x101E;
    public const uint DeviceGlobalMemSize = 0x101F;
    public const uint DeviceType = 0x1000;
    public const uint DeviceVersion = 0x102F;
    public const ulong DeviceTypeCpu = 2;
    public const ulong DeviceTypeGpu = 4;
    public const uint ProgramBuildLog = 0x1183;
    public const ulong MemReadWrite = 1;
    public const ulong QueueProfilingEnable = 2;
    public const uint ProfilingCommandStart = 0x1282;
    public const uint ProfilingCommandEnd = 0x1283;

    private OpenClApi(nint library)
    {
        GetPlatformIDs = (delegate* unmanaged<uint, nint*, uint*, int>)NativeLibrary.GetExport(library, "clGetPlatformIDs");
        GetDeviceIDs = (delegate* unmanaged<nint, ulong, uint, nint*, uint*, int>)NativeLibrary.GetExport(library, "clGetDeviceIDs");
        GetDeviceInfo = (delegate* unmanaged<nint, uint, nuint, void*, nuint*, int>)NativeLibrary.GetExport(library, "clGetDeviceInfo");
        CreateContext = (delegate* unmanaged<nint*, uint, nint*, nint, nint, int*, nint>)NativeLibrary.GetExport(library, "clCreateContext");
        CreateCommandQueue = (delegate* unmanaged<nint, nint, ulong, int*, nint>)NativeLibrary.GetExport(library, "clCreateCommandQueue");
        CreateProgramWithSource = (delegate* unmanaged<nint, uint, byte**, nuint*, int*, nint>)NativeLibrary.GetExport(library, "clCreateProgramWithSource");
        BuildProgram = (delegate* unmanaged<nint, uint, nint*, byte*, nint, nint, int>)NativeLibrary.GetExport(library, "clBuildProgram");
        GetProgramBuildInfo = (delegate* unmanaged<nint, nint, uint, nuint, void*, nuint*, int>)NativeLibrary.GetExport(library, "clGetProgramBuildInfo");
        CreateKernel = (delegate* unmanaged<nint, byte*, int*, nint>)NativeLibrary.GetExport(library, "clCreateKernel");
        CreateBuffer = (delegate* unmanaged<nint, ulong, nuint, void*, int*, nint>)NativeLibrary.GetExport(library, "clCreateBuffer");
        SetKernelArg = (delegate* unmanaged<nint, uint, nuint, void*, int>)NativeLibrary.GetExport(library, "clSetKernelArg");
        EnqueueWriteBuffer = (delegate* unmanaged<nint, nint, uint, nuint, nuint, void*, uint, nint*, nint*, int>)NativeLibrary.GetExport(library, "clEnqueueWriteBuffer");
        EnqueueReadBuffer = (delegate* unmanaged<nint, nint, uint, nuint, nuint, void*, uint, nint*, nint*, int>)NativeLibrary.GetExport(library, "clEnqueueReadBuffer");
        EnqueueNDRangeKernel = (delegate* unmanaged<nint, nint, uint, nuint*, nuint*, nuint*, uint, nint*, nint*, int>)NativeLibrary.GetExport(library, "clEnqueueNDRangeKernel");
        Finish = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "clFinish");
        WaitForEvents = (delegate* unmanaged<uint, nint*, int>)NativeLibrary.GetExport(library, "clWaitForEvents");
        GetEventProfilingInfo = (delegate* unmanaged<nint, uint, nuint, void*, nuint*, int>)NativeLibrary.GetExport(library, "clGetEventProfilingInfo");
        ReleaseEvent = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "clReleaseEvent");
        ReleaseMemObject = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "clReleaseMemObject");
        ReleaseKernel = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "clReleaseKernel");
        ReleaseProgram = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "clReleaseProgram");
        ReleaseCommandQueue = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "clReleaseCommandQueue");
        ReleaseContext = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "clReleaseContext");
    }

    public delegate* unmanaged<uint, nint*, uint*, int> GetPlatformIDs { get; }
    public delegate* unmanaged<nint, ulong, uint, nint*, uint*, int> GetDeviceIDs { get; }
    public delegate* unmanaged<nint, uint, nuint, void*, nuint*, int> GetDeviceInfo { get; }
    public delegate* unmanaged<nint*, uint, nint*, nint, nint, int*, nint> CreateContext { get; }
    public delegate* unmanaged<nint, nint, ulong, int*, nint> CreateCommandQueue { get; }
    public delegate* unmanaged<nint, uint, byte**, nuint*, int*, nint> CreateProgramWithSource { get; }
    public delegate* unmanaged<nint, uint, nint*, byte*, nint, nint, int> BuildProgram { get; }
    public delegate* unmanaged<nint, nint, uint, nuint, void*, nuint*, int> GetProgramBuildInfo { get; }
    public delegate* unmanaged<nint, byte*, int*, nint> CreateKernel { get; }
    public delegate* unmanaged<nint, ulong, nuint, void*, int*, nint> CreateBuffer { get; }
    public delegate* unmanaged<nint, uint, nuint, void*, int> SetKernelArg { get; }
    public delegate* unmanaged<nint, nint, uint, nuint, nuint, void*, uint, nint*, nint*, int> EnqueueWriteBuffer { get; }
    public delegate* unmanaged<nint, nint, uint, nuint, nuint, void*, uint, nint*, nint*, int> EnqueueReadBuffer { get; }
    public delegate* unmanaged<nint, nint, uint, nuint*, nuint*, nuint*, uint, nint*, nint*, int> EnqueueNDRangeKernel { get; }
    public delegate* unmanaged<nint, int> Finish { get; }
    public delegate* unmanaged<uint, nint*, int> WaitForEvents { get; }
    public delegate* unmanaged<nint, uint, nuint, void*, nuint*, int> GetEventProfilingInfo { get; }
    public delegate* unmanaged<nint, int> ReleaseEvent { get; }
    public delegate* unmanaged<nint, int> ReleaseMemObject { get; }
    public delegate* unmanaged<nint, int> ReleaseKernel { get; }
    public delegate* unmanaged<nint, int> ReleaseProgram { get; }
    public delegate* unmanaged<nint, int> ReleaseCommandQueue { get; }
    public delegate* unmanaged<nint, int> ReleaseContext { get; }

    /// <summary>Loads the library and binds every entry point, or says why it cannot.</summary>
    public static OpenClApi? TryLoad(string libraryName, out string reason)
    {
        if (!NativeLibrary.TryLoad(libraryName, out var library))
        {
            reason = $"{libraryName} was not found (install an OpenCL ICD loader and a driver, e.g. Debian's ocl-icd-libopencl1 and pocl-opencl-icd)";
            return null;
        }

        try
        {
            reason = "";
            return new OpenClApi(library);
        }
        catch (EntryPointNotFoundException error)
        {
            reason = $"{libraryName} lacks an OpenCL 1.2 entry point: {error.Message}";
            return null;
        }
    }

    /// <summary>Throws with the call's name and OpenCL error code when it failed.</summary>
    public static void Check(int code, string call)
    {
        if (code != Success)
        {
            throw new InvalidOperationException($"OpenCL {call} failed with error {code}");
        }
    }
}
