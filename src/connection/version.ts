/** The library's name and version as sent with `CLIENT SETINFO`. A unit test keeps it equal to package.json's. */
export const LIBRARY_NAME = "coredis";
/** See {@link LIBRARY_NAME}. */
export const LIBRARY_VERSION = "0.1.0";
