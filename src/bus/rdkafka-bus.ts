export class RdkafkaBus {}
