/** The {@code s3://} store (AWS SDK for Java v2; any S3-compatible endpoint). */
module org.bigarrays.s3 {
    requires org.bigarrays.core;
    requires org.slf4j;
    requires software.amazon.awssdk.services.s3;
    requires software.amazon.awssdk.core;
    requires software.amazon.awssdk.awscore;
    requires software.amazon.awssdk.auth;
    requires software.amazon.awssdk.regions;
    requires software.amazon.awssdk.http;
    requires software.amazon.awssdk.http.apache;

    provides org.bigarrays.kvstore.KeyValueStoreProvider with org.bigarrays.kvstore.s3.S3StoreProvider;
}
