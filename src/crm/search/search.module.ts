import { Module } from '@nestjs/common';
import { RecordsModule } from '../records';
import { SearchController } from './search.controller';
import { SearchService } from './search.service';

/** Search of records (`POST /objects/{objectType}/search`), built on the records core. */
@Module({
  imports: [RecordsModule],
  controllers: [SearchController],
  providers: [SearchService],
  exports: [SearchService],
})
export class SearchModule {}
