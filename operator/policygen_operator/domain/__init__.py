"""The pure core: no I/O beyond reading bytes it is handed, no kopf, no boto3, no Kubernetes client."""
